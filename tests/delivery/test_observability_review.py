"""Plan review of observability changes, on real offline plans: warehouse, dashboard and
alert permission changes are 🔐; removing an alert, raising its threshold, pausing its
schedule or removing its targets is 'alert weakened'; destination changes are listed
without their secrets (docs/observability.md)."""

from __future__ import annotations

from support import PROVIDER_VERSION

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from mlops_tools.offline.harness import apply_stack, verify_stack
from mlops_tools.review.markdown import render
from mlops_tools.review.plan_review import ALERTING, DESTINATION, SECURITY, Review, review_plan

WAREHOUSE = "${databricks_sql_endpoint.wh.id}"


def _alert(query: str, threshold: float) -> dict[str, Any]:
    return {"display_name": query, "query_id": f"${{databricks_query.{query}.id}}",
            "condition": {"op": "GREATER_THAN", "operand": {"column": {"name": "drift"}},
                          "threshold": {"value": {"double_value": threshold}}}}


BASE: dict[str, Any] = {
    "databricks_sql_endpoint": {"wh": {"name": "wh", "cluster_size": "Small", "max_num_clusters": 1,
                                       "enable_serverless_compute": True}},
    "databricks_query": {
        "drift": {"display_name": "drift", "warehouse_id": WAREHOUSE, "query_text": "SELECT 1 AS drift"},
        "rows": {"display_name": "rows", "warehouse_id": WAREHOUSE, "query_text": "SELECT 1 AS drift"},
    },
    "databricks_alert": {"drift": _alert("drift", 0.2), "rows": _alert("rows", 5)},
    "databricks_job": {"drift_schedule": {
        "name": "drift-alert-job",
        "schedule": {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC", "pause_status": "UNPAUSED"},
        "task": [{"task_key": "evaluate_alert", "sql_task": {"warehouse_id": WAREHOUSE, "alert": {
            "alert_id": "${databricks_alert.drift.id}",
            "subscriptions": [{"user_name": "a@example.com"}, {"user_name": "b@example.com"}]}}}]}},
    "databricks_permissions": {
        "wh": {"sql_endpoint_id": WAREHOUSE, "access_control": [{"group_name": "analysts", "permission_level": "CAN_USE"}]},
        "alert": {"sql_alert_id": "${databricks_alert.drift.id}",
                  "access_control": [{"group_name": "analysts", "permission_level": "CAN_VIEW"}]},
        "dashboard": {"dashboard_id": "${databricks_dashboard.d.id}",
                      "access_control": [{"group_name": "analysts", "permission_level": "CAN_READ"}]},
    },
    "databricks_dashboard": {"d": {"display_name": "d", "warehouse_id": WAREHOUSE, "parent_path": "/Shared/d",
                                   "serialized_dashboard": "{\"pages\":[{\"name\":\"p\"}]}"}},
    "databricks_notification_destination": {
        "slack": {"display_name": "team_slack", "config": {"slack": {"url": "${var.slack_url}"}}}},
}


def _head() -> dict[str, Any]:
    head = copy.deepcopy(BASE)
    head["databricks_alert"]["drift"]["condition"]["threshold"]["value"]["double_value"] = 0.3  # raised
    del head["databricks_alert"]["rows"]                                                         # removed
    del head["databricks_query"]["rows"]
    job = head["databricks_job"]["drift_schedule"]
    job["schedule"]["pause_status"] = "PAUSED"
    job["task"][0]["sql_task"]["alert"]["subscriptions"] = [{"user_name": "a@example.com"}]
    for key, level in (("wh", "CAN_MANAGE"), ("alert", "CAN_MANAGE"), ("dashboard", "CAN_EDIT")):
        head["databricks_permissions"][key]["access_control"][0]["permission_level"] = level
    head["databricks_notification_destination"]["oncall"] = {
        "display_name": "oncall", "config": {"pagerduty": {"integration_key": "${var.pd_key}"}}}
    head["databricks_notification_destination"]["slack"]["display_name"] = "team-slack"
    return head


def _write(directory: Path, resources: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    doc = {"terraform": {"required_providers": {"databricks": {"source": "databricks/databricks",
                                                               "version": PROVIDER_VERSION}}},
           "provider": {"databricks": [{"host": "https://offline.invalid"}]},
           "variable": {"slack_url": {"type": "string", "sensitive": True},
                        "pd_key": {"type": "string", "sensitive": True}},
           "resource": resources}
    (directory / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
    return directory


@pytest.fixture(scope="module")
def secrets() -> dict[str, str]:
    return {"slack_url": f"https://hooks.slack.com/services/{uuid.uuid4().hex}", "pd_key": uuid.uuid4().hex}


@pytest.fixture(scope="module")
def review(offline_terraform, tmp_path_factory, secrets):
    """Base applied offline, head planned against it; the variables are set as in CI, but the
    offline harness passes no TF_VAR_* (placeholders stand in)."""
    mp = pytest.MonkeyPatch()
    for name, value in secrets.items():
        mp.setenv(f"TF_VAR_{name}", value)
    try:
        tmp = tmp_path_factory.mktemp("obs-review")
        state = tmp / "state.tfstate"
        applied = apply_stack(_write(tmp / "base", BASE), state)
        assert applied.ok, applied.failure_text()
        planned = verify_stack(_write(tmp / "head", _head()), state=state)
        assert planned.ok and planned.plan, planned.failure_text()
        assert not any(v in json.dumps(planned.plan) for v in secrets.values())
        return review_plan("prod", planned.plan)
    finally:
        mp.undo()


def _risks(review, kind: str) -> dict[str, str]:
    return {r.address: r.message for r in review.risks if r.kind == kind}


def test_permission_changes_on_warehouse_dashboard_alert_are_security(review) -> None:
    security = _risks(review, SECURITY)
    assert "on a SQL warehouse: `analysts: +CAN_MANAGE -CAN_USE`" in security["databricks_permissions.wh"]
    assert "on a SQL alert: `analysts: +CAN_MANAGE -CAN_VIEW`" in security["databricks_permissions.alert"]
    assert "on a dashboard: `analysts: +CAN_EDIT -CAN_READ`" in security["databricks_permissions.dashboard"]


def test_removed_alert_raised_threshold_paused_schedule_are_alert_weakened(review) -> None:
    weakened = _risks(review, ALERTING)
    assert "alert weakened: the alert is removed" in weakened["databricks_alert.rows"]
    assert "threshold moves from 0.2 to 0.3: it fires later" in weakened["databricks_alert.drift"]
    assert "schedule is paused" in weakened["databricks_job.drift_schedule"]
    markdown = render(Review([review]))
    assert "🔕 **alert weakened**" in markdown and "🔐 **security review**" in markdown


def test_lowering_a_threshold_is_not_weakening() -> None:
    plan = {"format_version": "1.2", "resource_changes": [{
        "address": "databricks_alert.a", "type": "databricks_alert", "mode": "managed",
        "change": {"actions": ["update"], "before": _alert("a", 0.3), "after": _alert("a", 0.2)}}]}
    assert not _risks(review_plan("prod", plan), ALERTING)


def test_destination_changes_are_listed_without_secrets(review, secrets) -> None:
    listed = _risks(review, DESTINATION)
    assert listed["databricks_notification_destination.oncall"].endswith(
        "notification destination 'oncall' (pagerduty) added")
    assert listed["databricks_notification_destination.slack"].endswith(
        "notification destination 'team-slack' (slack) changed")
    markdown = render(Review([review]))
    assert "📣 **notification destination**" in markdown
    for value in secrets.values():
        assert value not in markdown

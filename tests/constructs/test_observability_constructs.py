"""SqlWarehouse, NotificationDestination, LakeviewDashboard and SqlAlert on their own."""

from __future__ import annotations

import json

import pytest

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.dashboard import LakeviewDashboard, LakeviewDashboardProps
from mlops_constructs.notification_destination import NotificationDestination, NotificationDestinationProps
from mlops_constructs.principal import Principal
from mlops_constructs.sql_alert import SqlAlert, SqlAlertProps, SubscriptionSpec
from mlops_constructs.sql_warehouse import SqlWarehouse, SqlWarehouseProps
from mlops_engine import TerraformVariable


def test_warehouse_defaults_are_explicit_and_serverless(synth_construct) -> None:
    def build(stack):
        SqlWarehouse(stack, "wh", SqlWarehouseProps(name="bi", tags={"b": "2", "a": "1"},
                                                    permissions={Principal("analysts"): "CAN_USE"}))
    doc = synth_construct(build)
    (w,) = doc["resource"]["databricks_sql_endpoint"].values()
    assert (w["cluster_size"], w["auto_stop_mins"], w["enable_serverless_compute"], w["warehouse_type"]) == (
        "Small", 30, True, "PRO")
    assert [t["key"] for t in w["tags"]["custom_tags"]] == ["a", "b"]
    (p,) = doc["resource"]["databricks_permissions"].values()
    assert p["sql_endpoint_id"].startswith("${databricks_sql_endpoint.")


@pytest.mark.parametrize("props,key", [
    (dict(size="Tiny"), "size"), (dict(min_clusters=2, max_clusters=1), "max_clusters"),
    (dict(serverless=False, auto_stop_mins=5), "auto_stop_mins"), (dict(channel="BETA"), "channel")])
def test_warehouse_refuses_what_the_provider_refuses(synth_construct, props, key) -> None:
    with pytest.raises(ConstructError) as info:
        synth_construct(lambda stack: SqlWarehouse(stack, "wh", SqlWarehouseProps(name="bi", **props)))
    assert info.value.diagnostics[0].key == key


def test_references_emit_no_resource(synth_construct) -> None:
    def build(stack):
        SqlWarehouse.from_id(stack, "by_id", "0123456789abcdef")
        SqlWarehouse.from_name(stack, "by_name", "dev-default-warehouse")
        NotificationDestination.from_name(stack, "dest", "dev-team_slack", "SLACK")
    doc = synth_construct(build)
    assert "resource" not in doc
    assert list(doc["data"]["databricks_sql_warehouse"].values())[0]["name"] == "dev-default-warehouse"
    (lookup,) = doc["data"]["databricks_notification_destinations"].values()
    assert lookup == {**lookup, "display_name_contains": "dev-team_slack", "type": "SLACK"}


def test_destination_takes_its_secret_only_from_a_sensitive_variable(synth_construct) -> None:
    def build(stack):
        url = TerraformVariable(stack, "slack_url", type="string", sensitive=True)
        NotificationDestination(stack, "slack", NotificationDestinationProps(
            display_name="team", type="slack", secrets={"url": url.string_value}))
        NotificationDestination(stack, "mail", NotificationDestinationProps(
            display_name="mail", type="email", addresses=("b@example.com", "a@example.com")))
    doc = synth_construct(build)
    by_name = {r["display_name"]: r for r in doc["resource"]["databricks_notification_destination"].values()}
    assert by_name["team"]["config"] == {"slack": {"url": "${var.slack_url}"}}
    assert by_name["mail"]["config"] == {"email": {"addresses": ["a@example.com", "b@example.com"]}}


@pytest.mark.parametrize("props,key", [
    (dict(type="slack", secrets={"url": "https://hooks.slack.com/services/literal"}), "url"),
    (dict(type="pagerduty"), "integration_key"),
    (dict(type="sms"), "type"),
])
def test_destination_refuses_literals_and_missing_secrets(synth_construct, props, key) -> None:
    with pytest.raises(ConstructError) as info:
        synth_construct(lambda stack: NotificationDestination(stack, "d", NotificationDestinationProps(
            display_name="d", **props)))
    assert info.value.diagnostics[0].key == key
    assert "hooks.slack.com" not in str(info.value)  # a refused secret is never echoed


def _alert_props(**overrides) -> SqlAlertProps:
    base = dict(display_name="a", warehouse_id="0123456789abcdef", query_text="SELECT 1 AS v", column="v",
                op="GREATER_THAN", threshold=0.5, cron="0 0 * * * ?", job_name="a-job", paused=True,
                subscriptions=(SubscriptionSpec("user_name", "b@example.com"), SubscriptionSpec("user_name", "a@example.com")))
    return SqlAlertProps(**{**base, **overrides})


def test_alert_query_schedule_and_sorted_subscriptions(synth_construct) -> None:
    doc = synth_construct(lambda stack: SqlAlert(stack, "alert", _alert_props(
        permissions={Principal("analysts"): "CAN_VIEW"})))
    (alert,) = doc["resource"]["databricks_alert"].values()
    assert alert["condition"]["threshold"]["value"]["double_value"] == 0.5
    (job,) = doc["resource"]["databricks_job"].values()
    assert job["schedule"]["pause_status"] == "PAUSED"
    subs = job["task"][0]["sql_task"]["alert"]["subscriptions"]
    assert subs == [{"user_name": "a@example.com"}, {"user_name": "b@example.com"}]
    kinds = sorted(k for p in doc["resource"]["databricks_permissions"].values() for k in p if k.endswith("_id"))
    assert kinds == ["sql_alert_id", "sql_query_id"]


@pytest.mark.parametrize("overrides,key", [(dict(op=">"), "op"), (dict(cron="every hour"), "cron"),
                                           (dict(threshold=float("inf")), "threshold")])
def test_alert_refusals(synth_construct, overrides, key) -> None:
    with pytest.raises(ConstructError) as info:
        synth_construct(lambda stack: SqlAlert(stack, "alert", _alert_props(**overrides)))
    assert info.value.diagnostics[0].key == key


def test_dashboard_embed_credentials_off_by_default(synth_construct) -> None:
    doc = synth_construct(lambda stack: LakeviewDashboard(stack, "d", LakeviewDashboardProps(
        display_name="d", warehouse_id="0123456789abcdef", parent_path="/Shared/x",
        serialized_dashboard=json.dumps({"pages": [{"name": "p"}]}))))
    (d,) = doc["resource"]["databricks_dashboard"].values()
    assert d["embed_credentials"] is False and json.loads(d["serialized_dashboard"]) == {"pages": [{"name": "p"}]}
    with pytest.raises(ConstructError):
        synth_construct(lambda stack: LakeviewDashboard(stack, "d", LakeviewDashboardProps(
            display_name="d", warehouse_id="x", parent_path="/Shared/x/", serialized_dashboard="{}")))

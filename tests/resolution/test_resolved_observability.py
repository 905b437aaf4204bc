"""Observability of the shipped example, from the resolution layer alone (no jsii):
warehouses, destinations and their variables, the dashboard document, the alerts, and the
one drift threshold shared with the retraining job."""

from __future__ import annotations

import json
import shutil

import pytest

from support import EXAMPLE_CONFIG, edit_yaml
from platform_config import load_platform
from resolution import resolve_environment, resolve_project

ENVS = ("dev", "staging", "prod")
PREFIX = {"dev": "dev-", "staging": "staging-", "prod": ""}


def resolved_all(config=EXAMPLE_CONFIG):
    platform = load_platform(config)
    out = {}
    for name, env in platform.environments.items():
        (target,) = platform.targets[name]
        out[name] = (resolve_environment(env, platform.targets[name]), resolve_project(target))
    return out


@pytest.fixture(scope="module")
def resolved():
    return resolved_all()


def test_each_environment_has_one_serverless_warehouse_dev_smallest(resolved) -> None:
    for env in ENVS:
        obs = resolved[env][0].observability
        (w,) = obs.warehouses.values()
        assert obs.default_warehouse == "default" and w.create and w.serverless
        assert w.name == f"{PREFIX[env]}default-warehouse"
        assert w.channel == "CHANNEL_NAME_CURRENT"
        assert w.tags["environment"] == env and w.tags["managed_by"] == "cdktf"
    dev = resolved["dev"][0].observability.warehouses["default"]
    assert (dev.size, dev.auto_stop_mins) == ("2X-Small", 5)
    prod = resolved["prod"][0].observability.warehouses["default"]
    assert (prod.size, prod.min_clusters, prod.max_clusters) == ("Medium", 1, 2)


def test_destinations_and_their_sensitive_variable_names(resolved) -> None:
    assert {k: (d.type, dict(d.variables)) for k, d in resolved["prod"][0].observability.destinations.items()} == {
        "oncall": ("pagerduty", {"integration_key": "notification_prod_oncall_integration_key"}),
        "team_slack": ("slack", {"url": "notification_prod_team_slack_url"}),
    }
    for env in ("dev", "staging"):
        (d,) = resolved[env][0].observability.destinations.values()
        assert d.display_name == f"{env}-team_slack" and d.variables == {"url": f"notification_{env}_team_slack_url"}


def test_prod_pages_pagerduty_dev_and_staging_notify_slack(resolved) -> None:
    for env in ENVS:
        alerts = resolved[env][1].observability.alerts
        assert sorted(alerts) == ["feature_nulls", "feature_rows", "inference_drift", "serving_errors"]
        expected = "oncall" if env == "prod" else "team_slack"
        for a in alerts.values():
            assert [(t.kind, t.value) for t in a.targets] == [("destination_key", expected)]


def test_schedules_follow_the_pause_policy(resolved) -> None:
    for env in ENVS:
        paused = {a.paused for a in resolved[env][1].observability.alerts.values()}
        assert paused == {env == "dev"}  # dev: pause_schedules true


def test_drift_alert_uses_the_retraining_threshold(resolved) -> None:
    for env in ENVS:
        project = resolved[env][1]
        drift = project.target.project.jobs.retraining.drift
        alert = project.observability.alerts["inference_drift"]
        assert alert.threshold == drift.threshold == 0.2
        assert alert.op == drift.comparison
        assert alert.table == project.tables.drift  # the table the retraining job reads
        assert f"max(`{drift.metric}`) AS drift" in alert.query_text


def test_one_number_moves_both(tmp_path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    edit_yaml(config, "projects/churn.yaml", lambda d: d["jobs"]["retraining"]["drift"].update(threshold=0.35))
    project = resolved_all(config)["staging"][1]
    assert project.observability.alerts["inference_drift"].threshold == 0.35
    assert project.jobs["retraining"].config.drift.threshold == 0.35


def test_quality_and_serving_alerts(resolved) -> None:
    alerts = resolved["prod"][1].observability.alerts
    rows, nulls, errors = alerts["feature_rows"], alerts["feature_nulls"], alerts["serving_errors"]
    assert rows.table == nulls.table == "mlops_prod.churn_monitoring.customer_features_profile_metrics"
    assert "CASE WHEN value < 1000.0 THEN 1 ELSE 0 END AS out_of_bounds" in rows.query_text
    assert "column_name = 'tenure_months'" in nulls.query_text and "value > 0.05" in nulls.query_text
    assert (rows.column, rows.op, rows.threshold) == ("out_of_bounds", "GREATER_THAN", 0.0)
    assert errors.table == "mlops_prod.churn_inference.churn_payload"
    assert (errors.column, errors.threshold, errors.cron) == ("error_rate", 0.02, "0 */15 * * * ?")
    assert "INTERVAL 1 HOURS" in errors.query_text
    assert rows.display_name == "churn-feature_rows-alert" and rows.job_name == "churn-feature_rows-alert-job"
    assert rows.parent_path == "/Shared/mlops/churn/observability"


def test_dashboard_reads_monitors_serving_and_predictions(resolved) -> None:
    for env in ENVS:
        d = resolved[env][1].observability.dashboard
        catalog = f"mlops_{env}"
        assert d.warehouse == "default" and d.embed_credentials is False
        assert d.parent_path == f"/Shared/mlops/{PREFIX[env]}churn/observability"
        assert d.display_name == f"{PREFIX[env]}churn monitoring"
        assert set(d.tables) == {
            f"{catalog}.churn_monitoring.customer_features_profile_metrics",
            f"{catalog}.churn_monitoring.customer_features_drift_metrics",
            f"{catalog}.churn_monitoring.churn_payload_processed_profile_metrics",
            f"{catalog}.churn_monitoring.churn_payload_processed_drift_metrics",
            f"{catalog}.churn_inference.churn_payload",
            f"{catalog}.churn_inference.churn_predictions",
        }
        doc = json.loads(d.serialized)
        names = [ds["name"] for ds in doc["datasets"]]
        assert names == ["features_rows", "features_nulls", "features_drift", "inference_rows", "inference_nulls",
                         "inference_drift", "serving_churn", "predictions"]
        serving = next(ds for ds in doc["datasets"] if ds["name"] == "serving_churn")
        text = "".join(serving["queryLines"])
        assert "AS model_version" in text and "AS requests" in text and "p95_latency_ms" in text
        assert "AS error_rate" in text


def test_dashboard_is_deterministic_and_ignores_yaml_order(tmp_path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)

    def reorder(data: dict) -> None:
        data["monitors"] = dict(reversed(list(data["monitors"].items())))
        data["observability"]["alerts"] = dict(reversed(list(data["observability"]["alerts"].items())))

    edit_yaml(config, "projects/churn.yaml", reorder)
    first = resolved_all()["prod"][1].observability
    again = resolved_all(config)["prod"][1].observability
    assert first.dashboard.serialized == again.dashboard.serialized
    assert list(first.alerts) == list(again.alerts)


def test_pending_endpoint_drops_serving_panels(tmp_path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    edit_yaml(config, "projects/churn.yaml",
              lambda d: d["serving"]["endpoints"]["churn"]["entities"]["champion"].update(version=None))
    obs = resolved_all(config)["dev"][1].observability
    assert obs.pending_endpoints == {"churn"}
    names = [ds["name"] for ds in json.loads(obs.dashboard.serialized)["datasets"]]
    assert "serving_churn" not in names and not any(n.startswith("inference_") for n in names)

"""The shipped example's observability units on the synthesized JSON: warehouses,
destinations (secrets only as sensitive variables), the Lakeview dashboard, the SQL alerts
with their schedule jobs, and the one drift threshold shared with the retraining job."""

from __future__ import annotations

import json

import pytest

ENVS = ("dev", "staging", "prod")
PREFIX = {"dev": "dev-", "staging": "staging-", "prod": ""}


def _by_path(example, env: str, rtype: str) -> dict[str, dict]:
    """Construct path below the stack -> resource, with its address under '_address'."""
    out = {}
    for address, r in example.resources(env, rtype).items():
        out[r["//"]["metadata"]["path"].split("/", 1)[1]] = {**r, "_address": address}
    return out


def _ref(rtype: str, resource: dict, attribute: str = "id") -> str:
    return f"${{{rtype}.{resource['_address']}.{attribute}}}"


@pytest.mark.parametrize("env", ENVS)
def test_environment_warehouse_serverless_with_permissions(example, env) -> None:
    (w,) = _by_path(example, env, "databricks_sql_endpoint").values()
    assert w["name"] == f"{PREFIX[env]}default-warehouse"
    assert (w["enable_serverless_compute"], w["warehouse_type"], w["channel"]) == (
        True, "PRO", {"name": "CHANNEL_NAME_CURRENT"})
    expected = {"dev": ("2X-Small", 5, 1), "staging": ("Small", 15, 1), "prod": ("Medium", 30, 2)}[env]
    assert (w["cluster_size"], w["auto_stop_mins"], w["max_num_clusters"]) == expected
    tags = {t["key"]: t["value"] for t in w["tags"]["custom_tags"]}
    assert tags == {"environment": env, "managed_by": "cdktf"}
    perms = _by_path(example, env, "databricks_permissions")["platform/sql_warehouse_default/Permissions/Resource"]
    assert perms["sql_endpoint_id"] == _ref("databricks_sql_endpoint", w)
    levels = {a.get("group_name") or a.get("service_principal_name"): a["permission_level"]
              for a in perms["access_control"]}
    assert levels["ml-engineers"] == "CAN_MANAGE" and levels["analysts"] == "CAN_USE"


@pytest.mark.parametrize("env", ENVS)
def test_destination_secrets_are_sensitive_variables(example, env) -> None:
    doc = example.stacks[env]
    dests = {r["display_name"]: r for r in example.resources(env, "databricks_notification_destination").values()}
    slack = f"{PREFIX[env]}team_slack"
    assert dests[slack]["config"] == {"slack": {"url": f"${{var.notification_{env}_team_slack_url}}"}}
    expected = {f"notification_{env}_team_slack_url"}
    if env == "prod":
        assert dests["oncall"]["config"] == {
            "pagerduty": {"integration_key": "${var.notification_prod_oncall_integration_key}"}}
        expected.add("notification_prod_oncall_integration_key")
    assert set(doc["variable"]) == expected
    for spec in doc["variable"].values():
        assert spec["sensitive"] is True and spec["type"] == "string" and "default" not in spec


@pytest.mark.parametrize("env", ENVS)
def test_dashboard_published_on_the_environment_warehouse(example, env) -> None:
    (w,) = _by_path(example, env, "databricks_sql_endpoint").values()
    d = _by_path(example, env, "databricks_dashboard")["churn/dashboard/Resource"]
    assert d["warehouse_id"] == _ref("databricks_sql_endpoint", w)
    assert d["embed_credentials"] is False
    assert d["parent_path"] == f"/Shared/mlops/{PREFIX[env]}churn/observability"
    doc = json.loads(d["serialized_dashboard"])
    sql = "".join(line for ds in doc["datasets"] for line in ds["queryLines"])
    for table in ("customer_features_profile_metrics", "customer_features_drift_metrics",
                  "churn_payload_processed_drift_metrics", "churn_inference`.`churn_payload`",
                  "churn_inference`.`churn_predictions`"):
        assert table in sql, table
    widgets = [w["widget"] for w in doc["pages"][0]["layout"]]
    titles = {w["spec"]["frame"]["title"] for w in widgets if "spec" in w}
    assert {"Requests per hour", "p95 latency (ms)", "Error rate", "Drift (js_distance)", "Null rate"} <= titles
    perms = _by_path(example, env, "databricks_permissions")["churn/dashboard/Permissions/Resource"]
    assert perms["dashboard_id"] == _ref("databricks_dashboard", d)
    assert {a["group_name"]: a["permission_level"] for a in perms["access_control"]}["analysts"] == "CAN_READ"


@pytest.mark.parametrize("env", ENVS)
def test_alerts_with_query_schedule_targets_and_permissions(example, env) -> None:
    (w,) = _by_path(example, env, "databricks_sql_endpoint").values()
    alerts = _by_path(example, env, "databricks_alert")
    queries = _by_path(example, env, "databricks_query")
    jobs = _by_path(example, env, "databricks_job")
    perms = _by_path(example, env, "databricks_permissions")
    dests = {r["display_name"]: a for a, r in example.resources(env, "databricks_notification_destination").items()}
    target = dests["oncall" if env == "prod" else (f"{env}-team_slack")]
    assert sorted(p.split("/")[1] for p in alerts) == [
        "alert_feature_nulls", "alert_feature_rows", "alert_inference_drift", "alert_serving_errors"]
    for path, alert in alerts.items():
        unit = path.rsplit("/", 1)[0]
        query = queries[f"{unit}/Query"]
        assert alert["query_id"] == _ref("databricks_query", query)
        assert query["warehouse_id"] == _ref("databricks_sql_endpoint", w)
        job = jobs[f"{unit}/Schedule"]
        assert job["schedule"]["pause_status"] == ("PAUSED" if env == "dev" else "UNPAUSED")
        (task,) = job["task"]
        assert task["sql_task"]["alert"]["alert_id"] == _ref("databricks_alert", alert)
        assert task["sql_task"]["alert"]["subscriptions"] == [
            {"destination_id": f"${{databricks_notification_destination.{target}.id}}"}]
        assert task["sql_task"]["warehouse_id"] == _ref("databricks_sql_endpoint", w)
        acl = perms[f"{unit}/Permissions/Resource"]
        assert acl["sql_alert_id"] == _ref("databricks_alert", alert)
        levels = {a.get("group_name") or a.get("service_principal_name"): a["permission_level"]
                  for a in acl["access_control"]}
        assert levels["analysts"] == "CAN_VIEW" and levels["ml-engineers"] == "CAN_RUN"
        if env != "dev":  # the schedule runs as the project's run_as principal, which may run it
            runner = job["run_as"]["service_principal_name"]
            assert levels[runner] == "CAN_RUN"
        assert perms[f"{unit}/QueryPermissions/Resource"]["sql_query_id"] == _ref("databricks_query", query)


@pytest.mark.parametrize("env", ENVS)
def test_drift_alert_and_retraining_share_one_threshold(example, env) -> None:
    """The number the retraining job's condition task compares with is the drift alert's threshold."""
    retraining = _by_path(example, env, "databricks_job")["churn/retraining_job/Resource/Resource"]
    (check,) = [t for t in retraining["task"] if "condition_task" in t]
    alert = _by_path(example, env, "databricks_alert")["churn/alert_inference_drift/Resource"]
    condition = alert["condition"]
    assert float(check["condition_task"]["right"]) == condition["threshold"]["value"]["double_value"] == 0.2
    assert check["condition_task"]["op"] == condition["op"]
    (compute,) = [t for t in retraining["task"] if "spark_python_task" in t]
    params = dict(a.removeprefix("--").split("=", 1) for a in compute["spark_python_task"]["parameters"])
    assert float(params["drift_threshold"]) == condition["threshold"]["value"]["double_value"]
    # the alert reads the retraining job's drift table and metric
    query = _by_path(example, env, "databricks_query")["churn/alert_inference_drift/Query"]["query_text"]
    assert f"max(`{params['drift_metric_column']}`) AS drift" in query
    assert f"FROM `{'`.`'.join(params['drift_metrics_table'].split('.'))}`" in query


# ----------------------------------------------------------------- a variant config

@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    """dev: an email destination named by monitors and the endpoint; a referenced warehouse the
    project names; one alert unpaused on purpose; the per-project layout."""
    import shutil

    from support import EXAMPLE_CONFIG, edit_yaml, synth_config

    config = tmp_path_factory.mktemp("observability") / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)

    def dev(data):
        data["notification_destinations"]["owners"] = {"type": "email", "addresses": ["owners@example.com"]}
        data["sql_warehouses"]["bi"] = {"id": "0123456789abcdef", "permissions": {"readers": "CAN_USE"}}
        data["stacks"] = {"layout": "per-project"}

    def churn(data):
        data["environments"]["dev"].update({
            "monitors": {"features": {"notifications": {"on_failure": ["owners", "churn-team@example.com"]}}},
            "serving": {"endpoints": {"churn": {"notifications": {"on_update_failure": ["owners"]}}}},
            "observability": {"warehouse": "bi", "alerts": {"serving_errors": {"paused": False}}}})

    edit_yaml(config, "environments/dev.yaml", dev)
    edit_yaml(config, "projects/churn.yaml", churn)
    return synth_config(config, config.parent / "out")


def test_email_destinations_by_key_expand_to_their_addresses(variant) -> None:
    (monitor,) = [m for m in variant.resources("dev-churn", "databricks_quality_monitor").values()
                  if m["table_name"].endswith("customer_features")]
    assert monitor["notifications"][0]["on_failure"][0]["email_addresses"] == ["churn-team@example.com",
                                                                         "owners@example.com"]
    (endpoint,) = variant.resources("dev-churn", "databricks_model_serving").values()
    assert endpoint["email_notifications"]["on_update_failure"] == ["owners@example.com"]


def test_project_names_a_referenced_warehouse_and_stacks_look_up_destinations(variant) -> None:
    platform, churn = variant.stacks["dev-platform"], variant.stacks["dev-churn"]
    assert len(platform["resource"]["databricks_sql_endpoint"]) == 1   # bi is referenced, not created
    bi = [p for p in variant.resources("dev-platform", "databricks_permissions").values()
          if p.get("sql_endpoint_id") == "0123456789abcdef"]
    assert len(bi) == 1
    for d in variant.resources("dev-churn", "databricks_dashboard").values():
        assert d["warehouse_id"] == "0123456789abcdef"
    assert "databricks_sql_warehouse" not in churn.get("data", {})  # nothing to look up: a literal id
    (lookup,) = churn["data"]["databricks_notification_destinations"].values()
    assert (lookup["display_name_contains"], lookup["type"]) == ("dev-team_slack", "SLACK")
    assert "variable" not in churn  # the secret variables live in the platform stack only
    assert set(platform["variable"]) == {"notification_dev_team_slack_url"}


def test_an_alert_may_opt_out_of_the_pause_policy(variant) -> None:
    paused = {r["//"]["metadata"]["path"].split("/")[2]: r["schedule"]["pause_status"]
              for r in variant.resources("dev-churn", "databricks_job").values() if "schedule" in r
              and "/alert_" in r["//"]["metadata"]["path"]}
    assert paused == {"alert_feature_nulls": "PAUSED", "alert_feature_rows": "PAUSED",
                      "alert_inference_drift": "PAUSED", "alert_serving_errors": "UNPAUSED"}


@pytest.mark.parametrize("env", ENVS)
def test_monitors_do_not_default_to_the_environment_warehouse(example, env) -> None:
    """A monitor's warehouse_id cannot change after creation: defaulting it to the environment's
    warehouse would replace monitors already deployed without one. Dashboards and queries do use it."""
    (w,) = _by_path(example, env, "databricks_sql_endpoint").values()
    monitors = example.resources(env, "databricks_quality_monitor").values()
    assert monitors and all("warehouse_id" not in m for m in monitors)
    users = list(example.resources(env, "databricks_dashboard").values()) + list(
        example.resources(env, "databricks_query").values())
    assert users and all(u["warehouse_id"] == _ref("databricks_sql_endpoint", w) for u in users)


def test_monitors_use_the_warehouse_the_project_names(variant) -> None:
    monitors = variant.resources("dev-churn", "databricks_quality_monitor").values()
    assert monitors and all(m["warehouse_id"] == "0123456789abcdef" for m in monitors)

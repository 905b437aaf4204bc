"""Serving endpoints and monitors as the example composes them per environment, the
safe-first-deploy flow (pending endpoints, gated monitors, notices) and the drift
wiring to the retraining job."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ENVS = ("dev", "staging", "prod")
REF = re.compile(r"^\$\{(databricks_\w+)\.(\w+)\.(\w+)\}$")


def resolve(stack: dict, value: str) -> str:
    """'${databricks_schema.x.name}' -> that resource's literal attribute (one level)."""
    parts = []
    for piece in re.split(r"(\$\{[^}]+\})", value):
        m = REF.match(piece)
        if m:
            rtype, name, attr = m.groups()
            res = stack["resource"][rtype][name]
            if attr == "id" and rtype == "databricks_schema":
                parts.append(f"{resolve(stack, res['catalog_name'])}.{res['name']}")
            else:
                parts.append(resolve(stack, res[attr]))
        else:
            parts.append(piece)
    return "".join(parts)


def endpoints(example_or_doc, stack: str | None = None) -> dict[str, dict]:
    doc = example_or_doc if stack is None else example_or_doc.stacks[stack]
    return {r["name"]: r for r in doc.get("resource", {}).get("databricks_model_serving", {}).values()}


def monitors(doc: dict) -> dict[str, dict]:
    return {r["assets_dir"].rsplit("/", 1)[-1]: r
            for r in doc.get("resource", {}).get("databricks_quality_monitor", {}).values()}


def job_parameter(doc: dict, job_suffix: str, name: str) -> str:
    for job in doc["resource"]["databricks_job"].values():
        if job["name"].endswith(job_suffix):
            found = re.search(rf'--{name}=([^"]+)"', json.dumps(job))
            if found:
                return found.group(1)
    raise AssertionError(f"no {name} parameter in a job named *{job_suffix}")


# ----------------------------------------------------------------- the example

def test_endpoint_per_environment(example):
    names = {env: sorted(endpoints(example, env)) for env in ENVS}
    assert names == {"dev": ["dev-churn"], "staging": ["staging-churn"], "prod": ["churn"]}


def test_scale_to_zero_follows_environment(example):
    def scale(env):
        (ep,) = endpoints(example, env).values()
        return {e["name"]: e["scale_to_zero_enabled"] for e in ep["config"]["served_entities"]}
    assert scale("dev") == {"champion": True}
    assert scale("staging") == {"challenger": True, "champion": True}
    assert scale("prod") == {"champion": False}


def test_champion_challenger_in_staging(example):
    ep = endpoints(example, "staging")["staging-churn"]
    assert {(e["name"], e["entity_version"]) for e in ep["config"]["served_entities"]} == {
        ("champion", "3"), ("challenger", "4")}
    assert ep["config"]["traffic_config"]["routes"] == [
        {"served_entity_name": "challenger", "traffic_percentage": 10},
        {"served_entity_name": "champion", "traffic_percentage": 90}]
    stack = example.stacks["staging"]
    assert {resolve(stack, e["entity_name"]) for e in ep["config"]["served_entities"]} == {
        "mlops_staging.churn_models.churn_model"}


def test_prod_sizes_and_limits(example):
    ep = endpoints(example, "prod")["churn"]
    assert ep["config"]["served_entities"][0]["workload_size"] == "Medium"
    assert ep["ai_gateway"]["rate_limits"] == [
        {"calls": 3000, "key": "endpoint", "renewal_period": "minute"},
        {"calls": 1200, "key": "service_principal", "principal": "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72",
         "renewal_period": "minute"},
        {"calls": 120, "key": "user", "renewal_period": "minute"}]
    assert ep["ai_gateway"]["usage_tracking_config"] == {"enabled": True}
    assert ep["email_notifications"]["on_update_failure"] == ["churn-team@example.com", "ml-oncall@example.com"]


@pytest.mark.parametrize("env", ENVS)
def test_inference_table_in_environment_catalog(example, env):
    stack = example.stacks[env]
    (ep,) = endpoints(example, env).values()
    table = ep["ai_gateway"]["inference_table_config"]
    assert table["enabled"] is True and table["table_name_prefix"] == "churn"
    assert resolve(stack, table["catalog_name"]) == f"mlops_{env}"
    assert resolve(stack, table["schema_name"]) == "churn_inference"
    # the endpoint references the schema resource, so Terraform creates the schema first
    assert table["schema_name"].startswith("${databricks_schema.")


def test_tags(example):
    ep = endpoints(example, "prod")["churn"]
    assert {t["key"]: t["value"] for t in ep["tags"]} == {
        "environment": "prod", "managed_by": "cdktf", "project": "churn", "owner": "churn-team@example.com",
        "cost_center": "CC-4711", "tier": "online"}


def test_permissions_from_roles(example):
    stack = example.stacks["prod"]
    perms = [p for p in stack["resource"]["databricks_permissions"].values() if "serving_endpoint_id" in p]
    assert len(perms) == 1
    assert perms[0]["serving_endpoint_id"].startswith("${databricks_model_serving.")
    assert perms[0]["serving_endpoint_id"].endswith(".serving_endpoint_id}")
    assert perms[0]["access_control"] == [
        {"group_name": "analysts", "permission_level": "CAN_QUERY"},
        {"group_name": "churn-team-prod", "permission_level": "CAN_MANAGE"},
        {"group_name": "ml-engineers", "permission_level": "CAN_VIEW"}]


@pytest.mark.parametrize("env", ENVS)
def test_monitors_in_every_environment(example, env):
    stack = example.stacks[env]
    mons = monitors(stack)
    assert sorted(mons) == ["features", "inference"]
    inference, features = mons["inference"], mons["features"]
    assert inference["table_name"] == f"mlops_{env}.churn_inference.churn_payload_processed"
    assert inference["inference_log"][0]["problem_type"] == "PROBLEM_TYPE_CLASSIFICATION"
    assert inference["depends_on"] == [f"databricks_model_serving.{next(iter(stack['resource']['databricks_model_serving']))}"]
    assert features["table_name"] == f"mlops_{env}.churn_features.customer_features"
    assert features["time_series"][0]["timestamp_col"] == "snapshot_date"
    for m in mons.values():
        assert resolve(stack, m["output_schema_name"]) == f"mlops_{env}.churn_monitoring"
    prefix = "churn" if env == "prod" else f"{env}-churn"
    assert inference["assets_dir"] == f"/Shared/mlops/{prefix}/monitors/inference"


def test_schedules_paused_per_environment(example):
    # dev pauses schedules (pause_schedules: true): monitors are deployed without one
    assert all("schedule" not in m for m in monitors(example.stacks["dev"]).values())
    for env in ("staging", "prod"):
        mons = monitors(example.stacks[env])
        assert mons["inference"]["schedule"] == [{"quartz_cron_expression": "0 0 6 * * ?",
                                                  "timezone_id": "Europe/Berlin"}]
        assert mons["features"]["schedule"][0]["quartz_cron_expression"] == "0 0 7 ? * MON"


def test_monitor_notifications(example):
    prod = monitors(example.stacks["prod"])["inference"]
    assert prod["notifications"] == [{"on_failure": [{"email_addresses": [
        "churn-team@example.com", "ml-oncall@example.com"]}]}]
    assert monitors(example.stacks["dev"])["inference"]["notifications"][0]["on_failure"][0][
        "email_addresses"] == ["churn-team@example.com"]


@pytest.mark.parametrize("env", ENVS)
def test_drift_metrics_feed_retraining(example, env):
    """jobs.retraining.drift.table is unset: the job reads the drift metrics table of the monitor
    deployed on the endpoint's inference table, and its condition task compares the configured
    metric with the configured threshold before running the training job."""
    stack = example.stacks[env]
    monitor = monitors(stack)["inference"]
    written = f"{resolve(stack, monitor['output_schema_name'])}.{monitor['table_name'].split('.')[-1]}_drift_metrics"
    assert job_parameter(stack, "churn-retraining-job", "drift_metrics_table") == written
    assert written == f"mlops_{env}.churn_monitoring.churn_payload_processed_drift_metrics"
    assert job_parameter(stack, "churn-retraining-job", "drift_metric_column") == "js_distance"
    (job,) = [j for j in stack["resource"]["databricks_job"].values() if j["name"].endswith("churn-retraining-job")]
    tasks = {t["task_key"]: t for t in job["task"]}
    check = next(t for t in tasks.values() if "condition_task" in t)
    assert check["condition_task"]["right"] == "0.2" and check["condition_task"]["op"] == "GREATER_THAN"
    reader = check["depends_on"][0]["task_key"]
    assert check["condition_task"]["left"] == f"{{{{tasks.{reader}.values.drift_metric}}}}"
    (retrain,) = [t for t in tasks.values() if t.get("depends_on") == [{"task_key": check["task_key"], "outcome": "true"}]]
    training = next(n for n, j in stack["resource"]["databricks_job"].items() if j["name"].endswith("churn-training-job"))
    assert retrain["run_job_task"]["job_id"] == f"${{databricks_job.{training}.id}}"


def test_secret_references_pass_through(example):
    for env in ENVS:
        (ep,) = endpoints(example, env).values()
        champion = next(e for e in ep["config"]["served_entities"] if e["name"] == "champion")
        assert champion["environment_vars"] == {"ALERT_WEBHOOK_URL": "{{secrets/mlops/alert_webhook}}"}


def test_no_secret_values_in_output(example):
    from platform_config.secrets import SECRET_REFERENCE, find_secret_like

    for env in ENVS:
        for ep in endpoints(example, env).values():
            assert find_secret_like(json.dumps(ep)) is None
            for entity in ep.get("config", {}).get("served_entities", []):
                assert all(SECRET_REFERENCE.match(v) for v in entity.get("environment_vars", {}).values())


# ----------------------------------------------------------------- safe first deploy

@pytest.fixture(scope="module")
def first_deploy(tmp_path_factory):
    """The example before any model version exists (versions null everywhere), with prod's
    drift table set explicitly and staging's inference monitor disabled."""
    import shutil

    from mlops_tools.synth import synth

    root = Path(__file__).resolve().parents[2]
    config = tmp_path_factory.mktemp("first_deploy") / "config"
    shutil.copytree(root / "config", config)
    path = config / "projects" / "churn.yaml"
    data = yaml.safe_load(path.read_text())
    data["serving"]["endpoints"]["churn"]["entities"]["champion"]["version"] = None
    envs = data["environments"]
    envs["staging"]["serving"]["endpoints"]["churn"]["entities"] = {"champion": {"version": None}}
    envs["staging"]["serving"]["endpoints"]["churn"].pop("traffic")
    envs["staging"].setdefault("monitors", {})["inference"] = {"enabled": False}
    envs["prod"]["serving"]["endpoints"]["churn"]["entities"]["champion"]["version"] = None
    envs["prod"].setdefault("jobs", {}).setdefault("retraining", {})["drift"] = {
        "table": "monitoring.custom_drift", "metric": "js_distance", "threshold": 0.3}
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000))
    outdir = config.parent / "cdktf.out"
    synth(config, outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: json.loads((outdir / s["synthesizedStackPath"]).read_text())
              for name, s in manifest["stacks"].items()}
    return stacks, manifest, outdir


@pytest.mark.parametrize("env", ENVS)
def test_pending_endpoint_deploys_without_config(first_deploy, env):
    stacks, _, _ = first_deploy
    (ep,) = endpoints(stacks[env]).values()
    assert "config" not in ep and "ai_gateway" not in ep
    perms = [p for p in stacks[env]["resource"]["databricks_permissions"].values() if "serving_endpoint_id" in p]
    assert perms, "consumers are granted on the endpoint before the first version"


def test_monitors_on_pending_endpoint_are_gated(first_deploy):
    stacks, manifest, outdir = first_deploy
    for env in ENVS:
        assert sorted(monitors(stacks[env])) == ["features"]  # the feature monitor is unaffected
    from mlops_tools.notices import read_notices

    notices = [str(n) for n in read_notices(outdir)]
    assert any("[dev]" in n and "serving endpoint dev-churn is pending" in n for n in notices)
    assert any("[prod]" in n and "monitor 'inference' of project churn is not deployed yet" in n
               and "pending" in n for n in notices)
    assert any("[staging]" in n and "serving endpoint staging-churn is pending" in n for n in notices)


def test_drift_table_defaults_and_overrides(first_deploy):
    stacks, _, _ = first_deploy
    # dev: monitor gated but its drift table name is deterministic
    assert job_parameter(stacks["dev"], "churn-retraining-job", "drift_metrics_table") == \
        "mlops_dev.churn_monitoring.churn_payload_processed_drift_metrics"
    # prod: an explicit table wins; the threshold is config
    assert job_parameter(stacks["prod"], "churn-retraining-job", "drift_metrics_table") == \
        "mlops_prod.churn_monitoring.custom_drift"
    assert job_parameter(stacks["prod"], "churn-retraining-job", "drift_threshold") == "0.3"
    assert '"right": "0.3"' in json.dumps(stacks["prod"]["resource"]["databricks_job"])
    # staging: no inference monitor -> the jobs layer's default (the predictions table's monitor)
    staging = job_parameter(stacks["staging"], "churn-retraining-job", "drift_metrics_table")
    assert staging.endswith("_drift_metrics") and "churn_payload" not in staging


def test_notices_are_informational(first_deploy):
    """Pending endpoints and gated monitors are notices (printed by synth), never errors."""
    from mlops_tools.notices import read_notices

    _, _, outdir = first_deploy
    notices = read_notices(outdir)
    assert {n.level for n in notices} == {"notice"}
    assert all(str(n).startswith(f"notice: [{n.stack}] ") for n in notices)


# ----------------------------------------------------------------- safe first deploy, offline end to end

def _address(doc: dict, rtype: str) -> str:
    (name,) = doc["resource"][rtype]
    return f"{rtype}.{name}"


def _monitor_address(doc: dict, key: str) -> str:
    (name,) = [n for n, r in doc["resource"]["databricks_quality_monitor"].items()
               if r["assets_dir"].endswith(f"/monitors/{key}")]
    return f"databricks_quality_monitor.{name}"


@pytest.fixture(scope="module")
def going_live(terraform, first_deploy, example, tmp_path_factory):
    """dev deployed pending (no version) into an offline state, then the example's dev (version 1)
    planned against it and applied; then a changed inference-table prefix planned."""
    import shutil

    from mlops_tools.offline.harness import apply_stack, verify_stack

    tmp = tmp_path_factory.mktemp("going_live")
    state = tmp / "dev.tfstate"
    _, _, first_outdir = first_deploy
    pending = apply_stack(first_outdir / "stacks" / "dev", state)
    assert pending.ok, pending.failure_text()
    live = verify_stack(example.stack_dir("dev"), state=state)
    assert live.ok and live.plan, live.failure_text()
    applied = apply_stack(example.stack_dir("dev"), state)
    assert applied.ok, applied.failure_text()

    moved = tmp / "moved"
    shutil.copytree(example.stack_dir("dev"), moved)
    doc = json.loads((moved / "cdk.tf.json").read_text())
    (endpoint,) = doc["resource"]["databricks_model_serving"].values()
    endpoint["ai_gateway"]["inference_table_config"]["table_name_prefix"] = "churn_v2"
    (moved / "cdk.tf.json").write_text(json.dumps(doc))
    prefix_change = verify_stack(moved, state=state)
    assert prefix_change.ok and prefix_change.plan, prefix_change.failure_text()
    return live, prefix_change


def test_version_set_updates_pending_endpoint_in_place(going_live, example):
    """Setting the first version is an in-place update of the endpoint (no replacement), the
    inference monitor is created, and nothing is destroyed (databricks/mlops-stacks#217)."""
    from mlops_tools.review.plan_review import DATA_LOSS, DOWNTIME, REPLACEMENT, review_plan

    live, _ = going_live
    doc = example.stacks["dev"]
    endpoint = _address(doc, "databricks_model_serving")
    actions = live.actions()
    assert actions[endpoint] == ["update"]
    assert actions[_monitor_address(doc, "inference")] == ["create"]
    assert actions[_monitor_address(doc, "features")] == ["no-op"]
    assert not [a for a, act in actions.items() if "delete" in act]
    change = next(c for c in live.plan["resource_changes"] if c["address"] == endpoint)["change"]
    assert (change["before"]["config"], change["before"]["ai_gateway"]) == ([], [])  # pending
    (served,) = change["after"]["config"][0]["served_entities"]
    assert served["entity_version"] == "1"
    assert change["after"]["ai_gateway"][0]["inference_table_config"][0]["table_name_prefix"] == "churn"
    assert not change.get("replace_paths")
    review = review_plan("dev", live.plan)
    assert not [r for r in review.risks if r.kind in (DATA_LOSS, DOWNTIME, REPLACEMENT)]


def test_inference_table_change_after_going_live_is_flagged(going_live, example):
    """The service cannot change a live endpoint's inference table: the provider plans an update,
    the plan review predicts the recreation (replacement_rules, effect 'immutable')."""
    from mlops_tools.review.plan_review import DOWNTIME, review_plan

    _, prefix_change = going_live
    endpoint = _address(example.stacks["dev"], "databricks_model_serving")
    assert prefix_change.actions()[endpoint] == ["update"]
    review = review_plan("dev", prefix_change.plan)
    (risk,) = [r for r in review.risks if r.address == endpoint]
    assert risk.kind == DOWNTIME
    assert "table_name_prefix" in risk.message and "predicted" in risk.message

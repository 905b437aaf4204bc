"""The shipped example's jobs per environment, cluster policies, and address stability."""

from __future__ import annotations

import pytest

from support import synth_config

ENVS = ("dev", "staging", "prod")
KINDS = ("feature_engineering", "training", "batch_inference", "retraining")
JOBS_RUNNER = {"staging": "8c1e5f7a-6d2b-4f9e-a3c4-0b9d8e7f6a51", "prod": "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"}


def jobs_of(example, env: str) -> dict[str, dict]:
    """Job type -> job JSON, found by the construct path (stable address)."""
    out = {}
    for job in example.resources(env, "databricks_job").values():
        unit = job["//"]["metadata"]["path"].split("/")[2]
        if unit.endswith("_job"):  # ML jobs (alert schedules are alert_<key>/Schedule)
            out[unit.removesuffix("_job")] = job
    return out


@pytest.mark.parametrize("env", ENVS)
def test_every_job_type_in_every_environment(example, env):
    jobs = jobs_of(example, env)
    assert sorted(jobs) == sorted(KINDS)
    prefix = "" if env == "prod" else f"{env}-"
    assert {k: j["name"] for k, j in jobs.items()} == {
        k: f"{prefix}churn-{k.replace('_', '-')}-job" for k in KINDS}


@pytest.mark.parametrize("env", ENVS)
def test_task_graphs_sorted(example, env):
    jobs = jobs_of(example, env)
    for job in jobs.values():
        keys = [t["task_key"] for t in job["task"]]
        assert keys == sorted(keys)
        for task in job["task"]:
            deps = [d["task_key"] for d in task.get("depends_on", [])]
            assert deps == sorted(deps)
    assert [t["task_key"] for t in jobs["training"]["task"]] == ["ModelDeployment", "ModelValidation", "Train"]
    assert [t["task_key"] for t in jobs["feature_engineering"]["task"]] == [
        "customer_features", "pipeline_ingest", "usage_features"]  # the ingestion pipeline runs first
    assert [t["task_key"] for t in jobs["retraining"]["task"]] == [
        "CheckDriftThreshold", "ComputeDriftMetric", "RetrainModel"]


def test_pause_status_follows_the_environment(example):
    for env, status in (("dev", "PAUSED"), ("staging", "UNPAUSED"), ("prod", "UNPAUSED")):
        jobs = jobs_of(example, env)
        for kind in ("training", "batch_inference", "retraining"):
            assert jobs[kind]["schedule"]["pause_status"] == status, (env, kind)
        assert jobs["feature_engineering"]["schedule"]["pause_status"] == status
        assert "trigger" not in jobs["feature_engineering"]


def test_schedules_and_triggers(example):
    jobs = jobs_of(example, "staging")
    assert jobs["training"]["schedule"] == {"quartz_cron_expression": "0 0 4 ? * MON",
                                            "timezone_id": "Europe/Berlin", "pause_status": "UNPAUSED"}
    assert jobs["feature_engineering"]["schedule"] == {"quartz_cron_expression": "0 0 3 * * ?",
                                                       "timezone_id": "Europe/Berlin", "pause_status": "UNPAUSED"}


def test_dry_run_validation_only_in_dev(example):
    for env, mode in (("dev", "dry_run"), ("staging", "enabled"), ("prod", "enabled")):
        task = next(t for t in jobs_of(example, env)["training"]["task"] if t["task_key"] == "ModelValidation")
        assert task["notebook_task"]["base_parameters"]["run_mode"] == mode


def test_model_experiment_and_tables_as_parameters(example):
    jobs = jobs_of(example, "prod")
    train = next(t for t in jobs["training"]["task"] if t["task_key"] == "Train")["notebook_task"]["base_parameters"]
    assert train["model_name"] == "mlops_prod.churn_models.churn_model"
    assert train["experiment_name"] == "/Shared/mlops/churn/churn-experiment"
    assert train["training_data"] == "mlops_prod.churn_features.customer_features"
    (score,) = jobs["batch_inference"]["task"]
    params = score["notebook_task"]["base_parameters"]
    assert (params["model_alias"], params["input_table_name"], params["output_table_name"]) == (
        "champion", "mlops_prod.churn_features.customer_features", "mlops_prod.churn_inference.churn_predictions")
    customer = jobs["feature_engineering"]["task"][0]["notebook_task"]["base_parameters"]
    assert customer["output_table_name"] == "mlops_prod.churn_features.customer_features"


def test_git_source_per_environment(example):
    refs = {env: {k: v for k, v in jobs_of(example, env)["training"]["git_source"].items() if k != "url"}
            for env in ENVS}
    assert refs == {"dev": {"provider": "gitHub", "branch": "dev"},
                    "staging": {"provider": "gitHub", "branch": "main"},
                    "prod": {"provider": "gitHub", "tag": "v1.4.0"}}


def test_compute_variants(example):
    jobs = jobs_of(example, "dev")
    training = jobs["training"]["job_cluster"][0]
    assert training["job_cluster_key"] == "large_cluster"
    assert training["new_cluster"]["node_type_id"] == "Standard_E8ds_v5"  # the azure entry of the per-cloud map
    assert training["new_cluster"]["policy_id"].startswith("${databricks_cluster_policy.")
    default = jobs["batch_inference"]["job_cluster"][0]["new_cluster"]
    assert (default["node_type_id"], default["spark_version"], default["data_security_mode"]) == (
        "Standard_D4ds_v5", "15.4.x-cpu-ml-scala2.12", "SINGLE_USER")
    assert jobs_of(example, "prod")["batch_inference"]["job_cluster"][0]["new_cluster"]["policy_id"] == \
        "E1F2A3B4C5D6E7F8"
    retraining = jobs["retraining"]
    assert "job_cluster" not in retraining
    assert retraining["environment"][0]["environment_key"] == "serverless_env"
    drift = next(t for t in retraining["task"] if t["task_key"] == "ComputeDriftMetric")
    assert drift["environment_key"] == "serverless_env" and drift["spark_python_task"]["source"] == "GIT"


def test_retraining_runs_the_training_job(example):
    jobs = example.resources("staging", "databricks_job")
    training_key = next(k for k, j in jobs.items() if j["//"]["metadata"]["path"].endswith("/training_job/Resource/Resource"))
    retraining = jobs_of(example, "staging")["retraining"]
    run = next(t for t in retraining["task"] if t["task_key"] == "RetrainModel")
    assert run["run_job_task"]["job_id"] == f"${{databricks_job.{training_key}.id}}"
    check = next(t for t in retraining["task"] if t["task_key"] == "CheckDriftThreshold")
    assert check["condition_task"] == {"left": "{{tasks.ComputeDriftMetric.values.drift_metric}}",
                                       "op": "GREATER_THAN", "right": "0.2"}


def test_run_as_service_principal_outside_dev(example):
    for env in ENVS:
        for job in jobs_of(example, env).values():
            if env == "dev":
                assert "run_as" not in job
            else:
                assert job["run_as"] == {"service_principal_name": JOBS_RUNNER[env]}


def test_notifications_per_environment(example):
    dev, prod = jobs_of(example, "dev")["training"], jobs_of(example, "prod")["training"]
    assert dev["email_notifications"]["on_failure"] == ["churn-team@example.com"]
    assert "webhook_notifications" not in dev
    assert prod["email_notifications"]["on_failure"] == ["churn-team@example.com", "ml-oncall@example.com"]
    # a destination by key (prod's PagerDuty, created by the platform) and one managed elsewhere by id
    oncall = next(a for a, r in example.resources("prod", "databricks_notification_destination").items()
                  if r["display_name"] == "oncall")
    assert sorted(w["id"] for w in prod["webhook_notifications"]["on_failure"]) == sorted(
        [f"${{databricks_notification_destination.{oncall}.id}}", "5d3c2b1a-9f8e-4d7c-8b6a-1e2f3a4b5c6d"])
    assert prod["health"]["rules"] == [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 7200}]
    assert prod["edit_mode"] == "UI_LOCKED" and "edit_mode" not in dev
    assert (prod["queue"], prod["max_concurrent_runs"], prod["timeout_seconds"]) == ({"enabled": True}, 1, 14400)
    train = next(t for t in prod["task"] if t["task_key"] == "Train")
    assert (train["max_retries"], train["min_retry_interval_millis"]) == (1, 300000)


def test_permissions_from_roles(example):
    perms = [p for p in example.resources("prod", "databricks_permissions").values() if "job_id" in p]
    assert len(perms) == 4
    for perm in perms:
        assert perm["access_control"] == [
            {"group_name": "analysts", "permission_level": "CAN_VIEW"},
            {"group_name": "churn-team-prod", "permission_level": "CAN_MANAGE"},
            {"group_name": "ml-engineers", "permission_level": "CAN_MANAGE_RUN"}]


def test_tags(example):
    job = jobs_of(example, "staging")["batch_inference"]
    assert job["tags"] == {"cost_center": "CC-4711", "environment": "staging", "managed_by": "cdktf",
                           "owner": "churn-team@example.com", "project": "churn"}


def test_dev_creates_its_cluster_policy(example):
    (policy,) = example.resources("dev", "databricks_cluster_policy").values()
    assert policy["name"] == "dev-ml-jobs"
    assert not example.resources("prod", "databricks_cluster_policy")


# ---------------------------------------------------------------------------- variants (one synth each)


def _swap(text: str, first: str, second: str) -> str:
    """Swap two adjacent YAML blocks given as exact strings."""
    assert first + second in text
    return text.replace(first + second, second + first, 1)


def test_yaml_order_does_not_change_the_json(example, config_copy, tmp_path):
    path = config_copy / "projects" / "churn.yaml"
    text = path.read_text()
    block = lambda name, nxt: text[text.index(f"      {name}:\n"):text.index(f"      {nxt}:\n")]  # noqa: E731
    customer = block("customer_features", "usage_features")
    start = text.index("      usage_features:\n")
    usage = text[start:text.index("    schedule:", start)]
    text = _swap(text, customer, usage)
    text = _swap(text, "    churn_team: CAN_MANAGE\n    ml_engineers: CAN_MANAGE_RUN\n",
                 "    readers: CAN_VIEW\n")
    path.write_text(text)
    variant = synth_config(config_copy, tmp_path / "out")
    for env in ENVS:
        for rtype in ("databricks_job", "databricks_permissions", "databricks_cluster_policy"):
            assert variant.resources(env, rtype) == example.resources(env, rtype), (env, rtype)


HOOKS = ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "5d3c2b1a-9f8e-4d7c-8b6a-1e2f3a4b5c6d")
#: dev overrides of the per-project variant: workspace paths instead of git, a wheel on
#: serverless, job parameters, every notification event, an unpaused schedule in paused dev.
DEV_JOBS = f"""\
      run_as: job_runners
      git_source: null
      workspace_root: /Workspace/Shared/churn
      notifications:
        on_start: {{destinations: [{HOOKS[1]}]}}
        on_success: {{emails: [ok@example.com], destinations: [{HOOKS[1]}]}}
        on_failure: {{emails: [churn-team@example.com], destinations: [{HOOKS[1]}, {HOOKS[0]}]}}
        on_duration_warning_threshold_exceeded: {{destinations: [{HOOKS[0]}]}}
      batch_inference:
        compute: serverless
        task:
          python_wheel: {{package_name: churn, entry_point: score}}
          parameters: {{batch_size: 1000}}
        schedule: {{paused: false}}
      training:
        parameters: {{max_depth: 6}}
"""


@pytest.fixture(scope="module")
def per_project(tmp_path_factory):
    """Per-project layout, MLOPS_IAC_COMMIT set, and the DEV_JOBS overrides."""
    import os
    import shutil

    from support import EXAMPLE_CONFIG

    config = tmp_path_factory.mktemp("pp") / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    dev = config / "environments" / "dev.yaml"
    dev.write_text(dev.read_text().replace("backend:\n  type: local\n",
                                           "backend:\n  type: local\nstacks:\n  layout: per-project\n"))
    churn = config / "projects" / "churn.yaml"
    churn.write_text(churn.read_text().replace(
        "    jobs:                            # schedules are paused by dev's pause_schedules\n      training:\n",
        "    jobs:\n" + DEV_JOBS))
    os.environ["MLOPS_IAC_COMMIT"] = "0123456789abcdef0123456789abcdef01234567"
    try:
        return synth_config(config, tmp_path_factory.mktemp("pp-out") / "out")
    finally:
        del os.environ["MLOPS_IAC_COMMIT"]


def test_per_project_layout_looks_up_the_platform_policy(per_project):
    assert per_project.resources("dev-platform", "databricks_cluster_policy")
    assert not per_project.resources("dev-churn", "databricks_cluster_policy")
    (lookup,) = per_project.stacks["dev-churn"]["data"]["databricks_cluster_policy"].values()
    assert lookup["name"] == "dev-ml-jobs"
    for job in per_project.resources("dev-churn", "databricks_job").values():
        for cluster in job.get("job_cluster", []):
            assert cluster["new_cluster"]["policy_id"].startswith("${data.databricks_cluster_policy.")


def test_run_as_principals_get_can_use_on_created_policies(per_project):
    (perm,) = [p for p in per_project.resources("dev-platform", "databricks_permissions").values()
               if "cluster_policy_id" in p]
    levels = {tuple(k for k in a if k != "permission_level"): a["permission_level"] for a in perm["access_control"]}
    assert set(levels.values()) == {"CAN_USE"}
    assert any(kind == ("service_principal_name",) for kind in levels)
    assert {a.get("group_name") for a in perm["access_control"]} >= {"ml-engineers", "data-scientists"}


def test_iac_commit_tag_is_opt_in(example, per_project):
    for job in per_project.resources("dev-churn", "databricks_job").values():
        assert job["tags"]["iac_commit"] == "0123456789abcdef0123456789abcdef01234567"
        assert job["run_as"]["service_principal_name"]
    for env in ENVS:
        assert all("iac_commit" not in j["tags"] for j in example.resources(env, "databricks_job").values())


def _dev_jobs(per_project) -> dict[str, dict]:
    return {j["name"].removeprefix("dev-churn-").removesuffix("-job"): j
            for j in per_project.resources("dev-churn", "databricks_job").values()}


def test_pause_override_beats_the_environment(per_project):
    jobs = _dev_jobs(per_project)
    assert jobs["batch-inference"]["schedule"]["pause_status"] == "UNPAUSED"  # paused: false in paused dev
    assert jobs["batch-inference"]["schedule"]["quartz_cron_expression"] == "0 0 5 * * ?"  # deep-merged
    assert jobs["training"]["schedule"]["pause_status"] == "PAUSED"


def test_workspace_paths_without_git_source(per_project):
    jobs = _dev_jobs(per_project)
    assert all("git_source" not in j for j in jobs.values())
    task = next(t for t in jobs["training"]["task"] if t["task_key"] == "Train")["notebook_task"]
    assert (task["notebook_path"], task["source"]) == ("/Workspace/Shared/churn/training/notebooks/Train", "WORKSPACE")
    drift = next(t for t in jobs["retraining"]["task"] if t["task_key"] == "ComputeDriftMetric")
    assert drift["spark_python_task"]["python_file"] == "/Workspace/Shared/churn/monitoring/compute_drift_metric.py"


def test_job_parameters_reach_every_task(per_project):
    for task in _dev_jobs(per_project)["training"]["task"]:
        assert task["notebook_task"]["base_parameters"]["max_depth"] == "6", task["task_key"]


def test_wheel_task_on_serverless(per_project):
    job = _dev_jobs(per_project)["batch-inference"]
    (task,) = job["task"]
    assert task["environment_key"] == "serverless_env" and "library" not in task
    assert task["python_wheel_task"]["package_name"] == "churn"
    assert task["python_wheel_task"]["entry_point"] == "score"
    params = task["python_wheel_task"]["named_parameters"]
    assert list(params) == sorted(params)
    assert (params["batch_size"], params["model_alias"]) == ("1000", "champion")
    assert job["environment"] == [{"environment_key": "serverless_env", "spec": {
        "environment_version": "2", "dependencies": ["mlflow-skinny==2.19.0"]}}]


def test_every_notification_event(per_project):
    job = _dev_jobs(per_project)["training"]
    assert job["email_notifications"] == {"on_failure": ["churn-team@example.com"], "on_success": ["ok@example.com"],
                                          # deep-merged from the shared notifications
                                          "on_duration_warning_threshold_exceeded": ["churn-team@example.com"]}
    assert job["webhook_notifications"] == {
        "on_start": [{"id": HOOKS[1]}], "on_success": [{"id": HOOKS[1]}],
        "on_failure": [{"id": HOOKS[0]}, {"id": HOOKS[1]}],
        "on_duration_warning_threshold_exceeded": [{"id": HOOKS[0]}]}


@pytest.mark.terraform
def test_variant_validates_and_plans(per_project, terraform):
    """The variant's options (wheel on serverless, workspace paths, every notification, policy
    lookup) pass offline terraform validate + plan, like the shipped example."""
    from mlops_tools.offline.harness import verify_stack

    for name in ("dev-platform", "dev-churn"):
        result = verify_stack(per_project.stack_dir(name))
        assert result.ok, f"{name}:\n{result.failure_text()}"

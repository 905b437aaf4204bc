"""The shipped example's ingest pipeline per environment, the feature job running it first,
the configuration contract read by the shipped pipeline source, and a variant (classic
cluster, standalone file-arrival job, workspace paths) through real offline terraform."""

from __future__ import annotations

import json
import runpy
import sys
import types

import pytest

from support import ROOT, synth_config

ENVS = ("dev", "staging", "prod")
JOBS_RUNNER = {"staging": "8c1e5f7a-6d2b-4f9e-a3c4-0b9d8e7f6a51", "prod": "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"}
PIPELINE = "churn_pipeline_ingest_7E4135E6"
EXAMPLE_SOURCE = ROOT / "examples" / "churn" / "pipelines" / "ingest_churn.py"


def pipeline(example, env: str) -> dict:
    return example.resources(env, "databricks_pipeline")[PIPELINE]


def by_path(example, env: str, rtype: str, path: str) -> dict:
    (hit,) = [r for r in example.resources(env, rtype).values() if r["//"]["metadata"]["path"] == f"{env}/{path}"]
    return hit


@pytest.mark.parametrize("env", ENVS)
def test_target_name_and_compute(example, env):
    p = pipeline(example, env)
    assert p["name"] == ("churn-ingest-pipeline" if env == "prod" else f"{env}-churn-ingest-pipeline")
    assert p["catalog"] == "${databricks_catalog.platform_catalog_D2537C63.name}"  # the env catalog, ordered after it
    assert p["schema"] == "${databricks_schema.churn_schema_features_274A7A24.name}"
    assert p["serverless"] is True and "cluster" not in p
    assert p["continuous"] is False
    assert p["event_log"] == {"catalog": f"mlops_{env}", "schema": "churn_features", "name": "ingest_event_log"}


def test_development_mode_follows_the_environment(example):
    assert {env: pipeline(example, env)["development"] for env in ENVS} == {
        "dev": True, "staging": False, "prod": False}


@pytest.mark.parametrize("env", ENVS)
def test_library_from_the_git_folder(example, env):
    repo = by_path(example, env, "databricks_repo", "churn/pipeline_code/Resource")
    assert repo["url"] == "https://github.com/example-org/churn-ml" and repo["git_provider"] == "gitHub"
    assert repo["path"] == ("/Repos/mlops/churn" if env == "prod" else f"/Repos/mlops/{env}-churn")
    assert {"dev": repo.get("branch"), "staging": repo.get("branch"), "prod": repo.get("tag")}[env] == {
        "dev": "dev", "staging": "main", "prod": "v1.4.0"}[env]
    assert pipeline(example, env)["library"] == [
        {"file": {"path": "${databricks_repo.churn_pipeline_code_FCCD792C.path}/pipelines/ingest_churn.py"}}]


@pytest.mark.parametrize("env", ENVS)
def test_ingest_and_expectation_configuration_keys(example, env):
    conf = pipeline(example, env)["configuration"]
    volume = f"/Volumes/mlops_{env}/churn_features/raw_extracts"
    assert conf["mlops.ingest.tables"] == "crm_customers,product_usage"
    assert conf["mlops.ingest.crm_customers.source"] == f"{volume}/crm"
    assert conf["mlops.ingest.product_usage.source"] == f"{volume}/usage"
    assert conf["mlops.ingest.crm_customers.format"] == "csv"
    assert conf["mlops.ingest.product_usage.format"] == "json"
    assert json.loads(conf["mlops.ingest.crm_customers.options"]) == {"header": "true"}
    assert "mlops.ingest.product_usage.options" not in conf
    assert conf["mlops.ingest.crm_customers.schema_evolution_mode"] == "addNewColumns"
    assert conf["mlops.ingest.product_usage.schema_evolution_mode"] == "rescue"
    assert conf["mlops.ingest.crm_customers.schema_hints"].startswith("customer_id BIGINT")
    assert json.loads(conf["mlops.expectations.crm_customers"]) == {
        "known_contract": {"action": "warn", "expression": "contract_type IN ('monthly', 'annual', 'two_year')"},
        "valid_customer_id": {"action": "drop", "expression": "customer_id IS NOT NULL"}}
    assert json.loads(conf["mlops.expectations.product_usage"])["event_not_in_future"] == {
        "action": "fail", "expression": "event_date <= current_date()"}
    assert list(conf) == sorted(conf)


@pytest.mark.parametrize("env", ENVS)
def test_notifications_tags_and_run_as(example, env):
    p = pipeline(example, env)
    assert p["notification"] == [{"alerts": ["on-flow-failure", "on-update-failure", "on-update-fatal-failure"],
                                  "email_recipients": ["churn-team@example.com"]}]
    assert p["tags"] == {"cost_center": "CC-4711", "environment": env, "layer": "bronze", "managed_by": "cdktf",
                         "owner": "churn-team@example.com", "project": "churn"}
    if env == "dev":
        assert "run_as" not in p  # runs as its owner (the deployer) in dev
    else:
        assert p["run_as"] == {"service_principal_name": JOBS_RUNNER[env]}


@pytest.mark.parametrize("env", ENVS)
def test_permissions_from_roles_plus_the_feature_job_runner(example, env):
    perms = by_path(example, env, "databricks_permissions", "churn/pipeline_ingest/Permissions/Resource")
    assert perms["pipeline_id"] == f"${{databricks_pipeline.{PIPELINE}.id}}"
    acl = {(a.get("group_name") or a.get("service_principal_name")): a["permission_level"]
           for a in perms["access_control"]}
    churn_team = "churn-team-prod" if env == "prod" else "churn-team"
    expected = {churn_team: "CAN_MANAGE", "ml-engineers": "CAN_RUN", "analysts": "CAN_VIEW"}
    if env != "dev":  # the feature job runs as job_runners there: it needs CAN_RUN to start updates
        expected[JOBS_RUNNER[env]] = "CAN_RUN"
    assert acl == expected
    readers = [r for r in example.resources(env, "databricks_permissions").values()
               if r["//"]["metadata"]["path"] == f"{env}/churn/pipeline_code/Permissions/Resource"]
    if env == "dev":
        assert readers == []
    else:
        assert readers[0]["access_control"] == [{"permission_level": "CAN_READ",
                                                 "service_principal_name": JOBS_RUNNER[env]}]


@pytest.mark.parametrize("env", ENVS)
def test_feature_job_runs_the_pipeline_first(example, env):
    job = by_path(example, env, "databricks_job", "churn/feature_engineering_job/Resource/Resource")
    tasks = {t["task_key"]: t for t in job["task"]}
    assert tasks["pipeline_ingest"]["pipeline_task"] == {"full_refresh": False,
                                                         "pipeline_id": f"${{databricks_pipeline.{PIPELINE}.id}}"}
    assert "job_cluster_key" not in tasks["pipeline_ingest"] and "max_retries" not in tasks["pipeline_ingest"]
    for key in ("customer_features", "usage_features"):
        assert tasks[key]["depends_on"] == [{"task_key": "pipeline_ingest"}]
    assert job["schedule"]["pause_status"] == ("PAUSED" if env == "dev" else "UNPAUSED")
    base = tasks["customer_features"]["notebook_task"]["base_parameters"]
    assert base["input_table_name"] == f"mlops_{env}.churn_features.crm_customers"  # what the pipeline lands


# ----------------------------------------------------------------- the shipped source reads the contract


class _Recorder:
    """Stand-ins for the pipeline runtime's `spark` and `dlt`: record what the code defines."""

    def __init__(self, conf: dict[str, str]):
        self.conf = conf
        self.tables: dict[str, dict] = {}
        self.reads: list[tuple] = []

    def spark(self):
        rec = self

        class Reader:
            def __init__(self):
                self.fmt, self.opts = None, {}

            def format(self, fmt):
                self.fmt = fmt
                return self

            def options(self, **opts):
                self.opts.update(opts)
                return self

            def load(self, path):
                rec.reads.append((self.fmt, dict(self.opts), path))
                return f"stream:{path}"

        return types.SimpleNamespace(conf=types.SimpleNamespace(get=lambda k, d=None: rec.conf.get(k, d)),
                                     readStream=types.SimpleNamespace(format=lambda f: Reader().format(f)))

    def dlt(self):
        rec = self

        def expect(action):
            def rules(chosen):
                def wrap(fn):
                    rec.tables.setdefault(fn.__name__, {}).setdefault("expectations", {})[action] = dict(chosen)
                    return fn
                return wrap
            return rules

        def table(name, comment=None):
            def wrap(fn):
                rec.tables.setdefault(name, {}).update(comment=comment, frame=fn())
                return fn
            return wrap

        return types.SimpleNamespace(expect_all=expect("warn"), expect_all_or_drop=expect("drop"),
                                     expect_all_or_fail=expect("fail"), table=table)


def test_shipped_pipeline_source_reads_the_configuration_contract(example, monkeypatch):
    rec = _Recorder(pipeline(example, "dev")["configuration"])
    monkeypatch.setitem(sys.modules, "dlt", rec.dlt())
    runpy.run_path(str(EXAMPLE_SOURCE), init_globals={"spark": rec.spark()})
    assert sorted(rec.tables) == ["crm_customers", "product_usage"]
    crm = rec.tables["crm_customers"]
    assert crm["comment"] == "CRM customer snapshots"
    assert crm["expectations"] == {"drop": {"valid_customer_id": "customer_id IS NOT NULL"},
                                   "warn": {"known_contract": "contract_type IN ('monthly', 'annual', 'two_year')"}}
    assert rec.tables["product_usage"]["expectations"]["fail"] == {"event_not_in_future": "event_date <= current_date()"}
    reads = {path: (fmt, opts) for fmt, opts, path in rec.reads}
    fmt, opts = reads["/Volumes/mlops_dev/churn_features/raw_extracts/crm"]
    assert fmt == "cloudFiles"
    assert opts == {"cloudFiles.format": "csv", "header": "true",
                    "cloudFiles.schemaHints": "customer_id BIGINT, snapshot_date DATE, contract_type STRING, "
                                              "tenure_months INT",
                    "cloudFiles.schemaEvolutionMode": "addNewColumns"}
    assert reads["/Volumes/mlops_dev/churn_features/raw_extracts/usage"][1]["cloudFiles.schemaEvolutionMode"] == \
        "rescue"


# ----------------------------------------------------------------- a variant through real terraform

VARIANT = """\
  audit:
    schema: mlops_shared.audit_logs              # catalog.schema: another catalog
    serverless: false
    cluster:
      node_type: {azure: Standard_E4ds_v5, aws: r5d.large}
      autoscale: {min_workers: 1, max_workers: 3, mode: legacy}
      custom_tags: {workload: audit}
    photon: true
    edition: PRO
    channel: PREVIEW
    libraries:
      - notebook: /Workspace/Shared/audit/ingest
      - glob: /Workspace/Shared/audit/transforms/**
    configuration:
      audit.window: 7
      audit.template: "${not_terraform} %{nor_this}"
    ingest:
      access_logs:
        url: abfss://landing@acme.dfs.core.windows.net/access
        format: parquet
    expectations:
      access_logs:
        has_user: "user_id IS NOT NULL"
        literal: "note <> '${x}'"
    budget_policy_id: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    notifications:
      - emails: [ops@example.com, audit@example.com]
        alerts: [on-update-success]
    orchestration:
      job:
        file_arrival: {volume: raw_extracts, path: audit/, min_time_between_triggers_seconds: 600}
  nightly:
    schema: features
    libraries: [{notebook: /Workspace/Shared/churn/nightly}]
    orchestration:
      job:
        name: churn-nightly-refresh
        schedule: {cron: "0 0 1 * * ?"}
        full_refresh: true
"""


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    import shutil

    config = tmp_path_factory.mktemp("pipelines-variant") / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / "projects" / "churn.yaml"
    text = path.read_text().replace("pipelines:\n  ingest:\n", "pipelines:\n" + VARIANT + "  ingest:\n", 1)
    run_as = "    pipelines:\n      ingest:\n        run_as: job_runners\n"
    text = text.replace(run_as, run_as + "      audit:\n        run_as: job_runners\n"
                                         "      nightly:\n        run_as: job_runners\n")
    path.write_text(text)
    dev = config / "environments" / "dev.yaml"  # dev in the per-project layout: the policy is looked up
    dev.write_text(dev.read_text() + "stacks:\n  layout: per-project\n")
    return synth_config(config, tmp_path_factory.mktemp("pipelines-variant-out") / "cdktf.out")


#: The stack holding the churn project per environment in the variant.
STACK = {"dev": "dev-churn", "staging": "staging", "prod": "prod"}


def _audit(variant, env: str) -> dict:
    return by_path(variant, STACK[env], "databricks_pipeline", "churn/pipeline_audit/Resource")


def test_classic_cluster_under_the_environment_policy(variant):
    p = _audit(variant, "dev")
    assert p["catalog"] == "mlops_shared" and p["schema"] == "audit_logs"
    assert "serverless" not in p and p["photon"] is True and p["edition"] == "PRO" and p["channel"] == "PREVIEW"
    (cluster,) = p["cluster"]
    assert cluster["label"] == "default" and cluster["node_type_id"] == "Standard_E4ds_v5"
    assert cluster["autoscale"] == {"min_workers": 1, "max_workers": 3, "mode": "LEGACY"}
    # per-project dev: the platform stack's policy, looked up by its name
    assert cluster["policy_id"].startswith("${data.databricks_cluster_policy.churn_policy_ml-jobs_")
    assert _audit(variant, "staging")["cluster"][0]["policy_id"] == "D0C5A1B2C3D4E5F6"  # referenced by id
    assert cluster["apply_policy_default_values"] is True
    assert _audit(variant, "prod")["cluster"][0]["policy_id"] == "E1F2A3B4C5D6E7F8"  # prod's referenced policy
    assert p["budget_policy_id"] == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert p["library"] == [{"notebook": {"path": "/Workspace/Shared/audit/ingest"}},
                            {"glob": {"include": "/Workspace/Shared/audit/transforms/**"}}]
    assert p["notification"] == [{"alerts": ["on-update-success"],
                                  "email_recipients": ["audit@example.com", "ops@example.com"]}]


def test_configuration_reaches_terraform_as_literals(variant):
    conf = _audit(variant, "dev")["configuration"]
    assert conf["audit.window"] == "7"
    assert conf["audit.template"] == "$${not_terraform} %%{nor_this}"
    assert json.loads(conf["mlops.expectations.access_logs"])["literal"]["expression"] == "note <> '$${x}'"
    assert conf["mlops.ingest.access_logs.source"] == "abfss://landing@acme.dfs.core.windows.net/access"


def test_standalone_file_arrival_job_follows_the_pause_policy(variant):
    for env, status in (("dev", "PAUSED"), ("staging", "UNPAUSED"), ("prod", "UNPAUSED")):
        job = by_path(variant, STACK[env], "databricks_job", "churn/pipeline_audit_job/Resource")
        assert job["name"] == ("churn-audit-pipeline-job" if env == "prod" else f"{env}-churn-audit-pipeline-job")
        assert job["trigger"] == {"pause_status": status, "file_arrival": {
            "url": f"/Volumes/mlops_{env}/churn_features/raw_extracts/audit/",
            "min_time_between_triggers_seconds": 600}}
        (task,) = job["task"]
        assert task["pipeline_task"]["full_refresh"] is False
        assert task["pipeline_task"]["pipeline_id"].startswith("${databricks_pipeline.churn_pipeline_audit_")
        assert "job_cluster" not in job  # a pipeline task needs no job compute


def test_standalone_scheduled_job_follows_the_pause_policy(variant):
    for env, status in (("dev", "PAUSED"), ("staging", "UNPAUSED"), ("prod", "UNPAUSED")):
        job = by_path(variant, STACK[env], "databricks_job", "churn/pipeline_nightly_job/Resource")
        assert job["name"] == ("churn-nightly-refresh" if env == "prod" else f"{env}-churn-nightly-refresh")
        assert job["schedule"] == {"quartz_cron_expression": "0 0 1 * * ?", "timezone_id": "UTC",
                                   "pause_status": status}
        assert job["task"][0]["pipeline_task"]["full_refresh"] is True
        # the project's shared jobs settings: run_as (staging, prod), notifications, permissions
        assert job.get("run_as") == (None if env == "dev" else {"service_principal_name": JOBS_RUNNER[env]})
        assert job["email_notifications"]["on_failure"][0] == "churn-team@example.com"


@pytest.mark.terraform
def test_variant_validates_and_plans_offline(variant, terraform):
    from mlops_tools.offline.harness import verify_stack

    for name in sorted(variant.stacks):
        result = verify_stack(variant.stack_dir(name))
        assert result.ok, f"{name}:\n{result.failure_text()}"
        actions = result.actions()
        assert all(v == ["create"] for v in actions.values())
        if name == "dev-platform":
            continue
        assert sum(a.startswith("databricks_job.churn_pipeline_") for a in actions) == 2, name
        (audit,) = [rc for rc in result.plan["resource_changes"]
                    if rc["address"].startswith("databricks_pipeline.churn_pipeline_audit_")]
        conf = audit["change"]["after"]["configuration"]  # Terraform's verdict: literals, not evaluated
        assert conf["audit.template"] == "${not_terraform} %{nor_this}"
        assert json.loads(conf["mlops.expectations.access_logs"])["literal"]["expression"] == "note <> '${x}'"

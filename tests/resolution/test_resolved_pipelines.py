"""The shipped example's pipelines, and variants, from the resolution layer alone (no jsii):
names, target, libraries, the configuration contract, development mode, cluster policy
references, tags, run_as, permissions, the Git folder and standalone pipeline jobs."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from support import EXAMPLE_CONFIG, ROOT
from platform_config import load_platform
from platform_config.pipelines import PipelineConfig
from resolution import Member, PolicyRef, SchemaRef, resolve_project
from resolution import names
from resolution.pipelines import EventLogTable, ResolvedLibrary

ENVS = ("dev", "staging", "prod")
PREFIX = {"dev": "dev-", "staging": "staging-", "prod": ""}
RUNNER = {"dev": Member("service_principal_name", "jobs_runner", apply_time=True),  # created in dev
          "staging": Member("service_principal_name", "8c1e5f7a-6d2b-4f9e-a3c4-0b9d8e7f6a51"),
          "prod": Member("service_principal_name", "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72")}


@pytest.fixture(scope="module")
def platform():
    return load_platform(EXAMPLE_CONFIG)


def _target(platform, env: str):
    (target,) = platform.targets[env]
    return target


def _with_pipelines(target, extra: dict[str, dict], jobs_update: dict | None = None):
    """The target with extra pipelines (validated like YAML entries) and jobs fields changed."""
    project = target.project
    pipelines = {**project.pipelines, **{k: PipelineConfig.model_validate(v) for k, v in extra.items()}}
    update: dict = {"pipelines": pipelines}
    if jobs_update is not None:
        update["jobs"] = project.jobs.model_copy(update=jobs_update)
    return dataclasses.replace(target, project=project.model_copy(update=update))


def test_pipelines_module_imports_no_jsii():
    code = ("import sys, resolution.pipelines; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('jsii', 'cdktf', 'cdktn', 'constructs', 'mlops_engine', 'mlops_constructs', 'stacks')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVS)
def test_example_ingest_pipeline(platform, env):
    project = resolve_project(_target(platform, env))
    assert list(project.pipelines) == ["ingest"]
    p = project.pipelines["ingest"]
    assert p.name == f"{PREFIX[env]}churn-ingest-pipeline"
    assert p.catalog is None  # the environment's catalog: the stack refers to it
    assert p.schema == SchemaRef("churn_features", "features")  # created by the project
    assert p.libraries == (ResolvedLibrary("file", "pipelines/ingest_churn.py", in_git_folder=True),)
    assert p.cluster is None  # serverless
    assert p.development is (env == "dev")
    assert p.event_log == EventLogTable(f"mlops_{env}", "churn_features", "ingest_event_log")
    assert (p.task_key, p.in_feature_job, p.job) == ("pipeline_ingest", True, None)
    assert p.tags == {"cost_center": "CC-4711", "environment": env, "layer": "bronze", "managed_by": "cdktf",
                      "owner": "churn-team@example.com", "project": "churn"}
    assert p.run_as == (None if env == "dev" else RUNNER[env])


@pytest.mark.parametrize("env", ENVS)
def test_example_configuration_contract(platform, env):
    conf = resolve_project(_target(platform, env)).pipelines["ingest"].configuration
    volume = f"/Volumes/mlops_{env}/churn_features/raw_extracts"
    assert conf["mlops.ingest.tables"] == "crm_customers,product_usage"
    assert conf["mlops.ingest.crm_customers.source"] == f"{volume}/crm"
    assert conf["mlops.ingest.product_usage.source"] == f"{volume}/usage"
    assert json.loads(conf["mlops.ingest.crm_customers.options"]) == {"header": "true"}
    assert "mlops.ingest.product_usage.options" not in conf
    assert json.loads(conf["mlops.expectations.product_usage"]) == {
        "event_not_in_future": {"action": "fail", "expression": "event_date <= current_date()"},
        "valid_customer_id": {"action": "drop", "expression": "customer_id IS NOT NULL"}}
    assert names.volume_path(_target(platform, env).env, _target(platform, env).project, "raw_extracts") == volume


@pytest.mark.parametrize("env", ENVS)
def test_example_permissions_raise_the_feature_job_runner_to_can_run(platform, env):
    p = resolve_project(_target(platform, env)).pipelines["ingest"]
    churn_team = "churn-team-prod" if env == "prod" else "churn-team"
    expected = {Member("group_name", churn_team): "CAN_MANAGE", Member("group_name", "ml-engineers"): "CAN_RUN",
                Member("group_name", "analysts"): "CAN_VIEW"}
    if env != "dev":  # the feature job runs as job_runners there
        expected[RUNNER[env]] = "CAN_RUN"
    assert p.permissions == expected


@pytest.mark.parametrize("env", ENVS)
def test_example_git_folder(platform, env):
    g = resolve_project(_target(platform, env)).git_folder
    assert g is not None
    assert (g.url, g.provider) == ("https://github.com/example-org/churn-ml", "gitHub")
    assert g.path == f"/Repos/mlops/{PREFIX[env]}churn"
    assert (g.branch, g.tag) == {"dev": ("dev", None), "staging": ("main", None), "prod": (None, "v1.4.0")}[env]
    assert g.readers == ({} if env == "dev" else {RUNNER[env]: "CAN_READ"})


def test_higher_configured_level_is_kept_for_the_runner(platform):
    target = _target(platform, "staging")
    ingest = target.project.pipelines["ingest"]
    changed = _with_pipelines(target, {"ingest": ingest.model_dump(by_alias=True, exclude_unset=True) | {
        "permissions": {"job_runners": "CAN_MANAGE", "readers": "CAN_VIEW"}}})
    p = resolve_project(changed).pipelines["ingest"]
    assert p.permissions == {RUNNER["staging"]: "CAN_MANAGE", Member("group_name", "analysts"): "CAN_VIEW"}


def test_pipeline_without_relative_libraries_needs_no_git_folder(platform):
    target = _target(platform, "staging")
    ingest = target.project.pipelines["ingest"].model_copy(update={"libraries": [
        PipelineConfig.model_validate({"schema": "features", "libraries": [
            {"notebook": "/Workspace/Shared/churn/ingest"}]}).libraries[0]]})
    project = target.project.model_copy(update={"pipelines": {"ingest": ingest}})
    resolved = resolve_project(dataclasses.replace(target, project=project))
    assert resolved.git_folder is None
    assert resolved.pipelines["ingest"].libraries == (
        ResolvedLibrary("notebook", "/Workspace/Shared/churn/ingest", in_git_folder=False),)


VARIANT = {
    "audit": {"schema": "mlops_shared.audit_logs", "serverless": False,
              "cluster": {"node_type": {"azure": "Standard_E4ds_v5", "aws": "r5d.large"},
                          "autoscale": {"min_workers": 1, "max_workers": 3, "mode": "legacy"}},
              "libraries": [{"notebook": "audit/ingest"}], "event_log": {"name": "audit_log"},
              "tags": {"layer": "silver", "owner": "spoofed"}, "run_as": "job_runners",
              "orchestration": {"job": {"file_arrival": {"volume": "raw_extracts", "path": "audit/"}}}},
    "nightly": {"schema": "elsewhere", "libraries": [{"file": "/Workspace/Shared/nightly.py"}],
                "run_as": "job_runners",
                "orchestration": {"job": {"name": "churn-nightly-refresh", "schedule": {"cron": "0 0 1 * * ?"},
                                          "full_refresh": True}}},
}


@pytest.mark.parametrize("env", ENVS)
def test_classic_cluster_policy_and_workspace_root(platform, env):
    target = _with_pipelines(_target(platform, env), VARIANT,
                             {"git_source": None, "workspace_root": "/Workspace/Shared/churn"})
    project = resolve_project(target)
    audit = project.pipelines["audit"]
    assert (audit.catalog, audit.schema) == ("mlops_shared", SchemaRef("audit_logs", None))
    assert audit.event_log == EventLogTable("mlops_shared", "audit_logs", "audit_log")  # the pipeline's catalog
    assert audit.libraries == (ResolvedLibrary("notebook", "/Workspace/Shared/churn/audit/ingest", False),)
    assert project.git_folder is None  # no git source
    c = audit.cluster
    assert c is not None and c.node_type_id == "Standard_E4ds_v5" and c.autoscale == (1, 3, "LEGACY")
    policies = target.env.compute.cluster_policies
    if env == "dev":  # created by the platform: a reference the stack wires (or looks up)
        assert c.cluster_policy == PolicyRef("ml-jobs", "dev-ml-jobs")
        assert PolicyRef("ml-jobs", "dev-ml-jobs") in project.policy_refs
    else:
        assert c.cluster_policy == policies[target.env.compute.default_policy].id
    assert audit.tags["owner"] == "churn-team@example.com" and audit.tags["layer"] == "silver"
    nightly = project.pipelines["nightly"]
    assert nightly.schema == SchemaRef("elsewhere", None) and nightly.catalog is None


@pytest.mark.parametrize("env", ENVS)
def test_standalone_jobs(platform, env):
    target = _with_pipelines(_target(platform, env), VARIANT)
    target_timezone = target.project.jobs.timezone
    project = resolve_project(target)
    audit = project.pipelines["audit"].job
    assert audit is not None
    assert audit.name == f"{PREFIX[env]}churn-audit-pipeline-job"
    assert audit.description == f"churn: runs pipeline audit ({env})"
    assert (audit.task_key, audit.full_refresh, audit.schedule) == ("pipeline_audit", False, None)
    fa = audit.file_arrival
    assert fa is not None and fa.url == f"/Volumes/mlops_{env}/churn_features/raw_extracts/audit/"
    assert fa.paused is (env == "dev")  # the environment's pause policy
    nightly = project.pipelines["nightly"].job
    assert nightly is not None and nightly.name == f"{PREFIX[env]}churn-nightly-refresh"
    assert nightly.full_refresh is True and nightly.file_arrival is None
    assert nightly.schedule is not None and (nightly.schedule.cron, nightly.schedule.timezone) == (
        "0 0 1 * * ?", target_timezone)  # jobs.timezone
    assert nightly.schedule.paused is (env == "dev")
    for job in (audit, nightly):
        assert job.run_as == (None if env == "dev" else RUNNER[env])  # the shared jobs run_as
        assert job.tags["project"] == "churn" and "iac_commit" not in job.tags
    if env != "dev":  # the standalone job's runner may start updates
        assert project.pipelines["nightly"].permissions == {RUNNER[env]: "CAN_RUN"}


def test_iac_commit_on_pipelines_and_their_jobs_only_when_given(platform):
    sha = "0123456789abcdef0123456789abcdef01234567"
    target = _with_pipelines(_target(platform, "staging"), VARIANT)
    opted = resolve_project(dataclasses.replace(target, iac_commit=sha))
    assert all(p.tags["iac_commit"] == sha for p in opted.pipelines.values())
    assert all(p.job.tags["iac_commit"] == sha for p in opted.pipelines.values() if p.job is not None)
    assert all("iac_commit" not in p.tags for p in resolve_project(target).pipelines.values())


def test_pipeline_tags_follow_the_one_precedence(platform):
    target = _target(platform, "staging")
    project = target.project.model_copy(update={"tags": {"layer": "project", "team": "project"}})
    p = resolve_project(dataclasses.replace(target, project=project)).pipelines["ingest"]
    assert p.tags["layer"] == "bronze"  # the pipeline's own tag over the project's
    assert p.tags["team"] == "project" and p.tags["managed_by"] == "cdktf"  # project, environment


def test_naming_style_changes_pipeline_names_and_the_git_folder(platform):
    target = _with_pipelines(_target(platform, "dev"), VARIANT)
    env = target.env.model_copy(update={"naming": target.env.naming.model_copy(
        update={"style": "suffix", "separator": "_"})})
    project = resolve_project(dataclasses.replace(target, env=env))
    assert project.pipelines["ingest"].name == "churn-ingest-pipeline_dev"
    assert project.pipelines["audit"].job.name == "churn-audit-pipeline-job_dev"
    assert project.git_folder.path == "/Repos/mlops/churn_dev"

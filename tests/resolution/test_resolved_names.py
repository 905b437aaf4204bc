"""Every Databricks name of the shipped example, per environment, from the resolution
layer alone (no jsii: these tests run in milliseconds)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from support import EXAMPLE_CONFIG, ROOT
from platform_config import load_platform
from resolution import SchemaRef, resolve_environment, resolve_project
from resolution import names

ENVS = ("dev", "staging", "prod")
PREFIX = {"dev": "dev-", "staging": "staging-", "prod": ""}  # naming: prefix, prefix, none


@pytest.fixture(scope="module")
def platform():
    return load_platform(EXAMPLE_CONFIG)


@pytest.fixture(scope="module")
def resolved(platform):
    """env -> (ResolvedEnvironment, ResolvedProject of churn)."""
    out = {}
    for env_name, env in platform.environments.items():
        (target,) = platform.targets[env_name]
        out[env_name] = (resolve_environment(env, platform.targets[env_name]), resolve_project(target))
    return out


def test_resolution_imports_no_jsii_cdktf_or_constructs():
    code = ("import sys, resolution, resolution.project, resolution.environment; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('jsii', 'cdktf', 'cdktn', 'constructs', 'mlops_engine', 'mlops_constructs', 'stacks')); "
            "print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("env", ENVS)
def test_unity_catalog_names(resolved, env):
    renv, project = resolved[env]
    catalog = f"mlops_{env}"
    assert renv.catalog.name == catalog
    assert {k: s.name for k, s in project.schemas.items()} == {
        "features": "churn_features", "inference": "churn_inference", "models": "churn_models",
        "monitoring": "churn_monitoring"}
    assert {k: v.name for k, v in project.volumes.items()} == {"raw_extracts": "raw_extracts"}
    assert project.model.schema == SchemaRef("churn_models", "models")
    assert project.model.full_name == f"{catalog}.churn_models.churn_model"


@pytest.mark.parametrize("env", ENVS)
def test_workspace_object_names(resolved, env):
    renv, project = resolved[env]
    p = PREFIX[env]
    assert project.experiment.path == f"/Shared/mlops/{p}churn/churn-experiment"
    assert {k: j.name for k, j in project.jobs.items()} == {
        "feature_engineering": f"{p}churn-feature-engineering-job", "training": f"{p}churn-training-job",
        "batch_inference": f"{p}churn-batch-inference-job", "retraining": f"{p}churn-retraining-job"}
    assert {k: e.name for k, e in project.endpoints.items()} == {"churn": f"{p}churn"}
    assert {k: m.assets_dir for k, m in project.monitors.items()} == {
        "features": f"/Shared/mlops/{p}churn/monitors/features",
        "inference": f"/Shared/mlops/{p}churn/monitors/inference"}
    assert {k: s.name for k, s in renv.secret_scopes.items()} == {"mlops": "mlops"}


def test_cluster_policy_and_service_principal_names(resolved):
    dev, _ = resolved["dev"]
    assert {k: c.name for k, c in dev.cluster_policies.items()} == {"ml-jobs": "dev-ml-jobs"}
    assert dev.service_principals["jobs_runner"].display_name == "dev-jobs_runner"  # created: naming rule
    for env in ("staging", "prod"):
        renv, project = resolved[env]
        assert renv.cluster_policies == {}  # referenced by id: nothing created, nothing to name
        assert {k: sp.display_name for k, sp in renv.service_principals.items()} == {
            "deployer": None, "jobs_runner": None}  # referenced by application id
        assert {j.cluster_policy for k, j in project.jobs.items() if k != "retraining"} == {
            renv.config.compute.cluster_policies["ml_jobs"].id}
    _, dev_project = resolved["dev"]
    assert [r.name for r in dev_project.policy_refs] == ["dev-ml-jobs"]
    assert dev_project.jobs["retraining"].cluster_policy is None  # serverless


@pytest.mark.parametrize("env", ENVS)
def test_tables(resolved, env):
    _, project = resolved[env]
    c = f"mlops_{env}"
    t = project.tables
    assert {k: (f.full_name, f.input_table) for k, f in t.feature_tables.items()} == {
        "customer_features": (f"{c}.churn_features.customer_features", f"{c}.churn_features.crm_customers"),
        "usage_features": (f"{c}.churn_features.usage_features", f"{c}.churn_features.product_usage")}
    assert t.training_data == t.batch_input == f"{c}.churn_features.customer_features"
    assert t.validation_data is None
    assert t.predictions == f"{c}.churn_inference.churn_predictions"
    assert t.default_drift == f"{c}.churn_inference.churn_predictions_drift_metrics"
    # the retraining job reads the inference monitor's drift metrics (docs/monitoring.md)
    assert t.drift == f"{c}.churn_monitoring.churn_payload_processed_drift_metrics"
    # the example's feature job runs on a schedule, after the ingest pipeline (docs/pipelines.md)
    fe = project.jobs["feature_engineering"]
    assert fe.trigger_tables == () and fe.trigger_paused is None
    assert fe.schedule_paused is (env == "dev")
    monitors = {k: (m.table_name, m.output_schema_full_name, m.drift_metrics_table)
                for k, m in project.monitors.items()}
    assert monitors == {
        "features": (f"{c}.churn_features.customer_features", f"{c}.churn_monitoring",
                     f"{c}.churn_monitoring.customer_features_drift_metrics"),
        "inference": (f"{c}.churn_inference.churn_payload_processed", f"{c}.churn_monitoring",
                      f"{c}.churn_monitoring.churn_payload_processed_drift_metrics")}
    ep = project.endpoints["churn"]
    assert (ep.inference_schema, ep.inference_table_prefix) == (SchemaRef("churn_inference", "inference"), "churn")


def test_table_update_trigger_tables_are_qualified(platform):
    """A table_update trigger's tables go through the one table rule (names.table)."""
    from platform_config.jobs import TableUpdateTriggerConfig, TriggerConfig

    (target,) = platform.targets["dev"]
    project = target.project
    trigger = TriggerConfig(table_update=TableUpdateTriggerConfig(tables=["features.crm_customers", "a.b.c", "t"]))
    fe = project.jobs.feature_engineering.model_copy(update={"schedule": None, "trigger": trigger})
    changed = project.model_copy(update={"jobs": project.jobs.model_copy(update={"feature_engineering": fe})})
    job = resolve_project(dataclasses.replace(target, project=changed)).jobs["feature_engineering"]
    assert job.trigger_tables == ("mlops_dev.churn_features.crm_customers", "a.b.c", "mlops_dev.churn_models.t")
    assert job.trigger_paused is True and job.schedule_paused is None  # dev pauses


def test_one_table_rule(platform):
    """Jobs, monitors and triggers resolve table references with the same function."""
    (target,) = platform.targets["dev"]
    env, project = target.env, target.project
    assert names.table(env, project, "a.b.c") == "a.b.c"
    assert names.table(env, project, "features.t") == "mlops_dev.churn_features.t"  # a schema key
    assert names.table(env, project, "elsewhere.t") == "mlops_dev.elsewhere.t"  # a schema name
    assert names.table(env, project, "t") == "mlops_dev.churn_models.t"  # the model's schema
    renamed = project.model_copy(update={"schemas": {
        **project.schemas, "models": project.schemas["models"].model_copy(update={"name": "ml_models"})}})
    assert names.table(env, renamed, "t") == "mlops_dev.ml_models.t"
    assert names.model_schema(renamed) == SchemaRef("ml_models", "models")
    outside = project.model_copy(update={"model": project.model.model_copy(update={"schema_name": "shared"})})
    assert names.model_schema(outside) == SchemaRef("shared", None)  # not created by the project
    assert names.table(env, outside, "t") == "mlops_dev.shared.t"


def test_naming_style_changes_every_workspace_name(platform):
    (target,) = platform.targets["dev"]
    env = target.env.model_copy(update={"naming": target.env.naming.model_copy(
        update={"style": "suffix", "separator": "_"})})
    project = resolve_project(dataclasses.replace(target, env=env))
    assert project.jobs["training"].name == "churn-training-job_dev"
    assert project.endpoints["churn"].name == "churn_dev"
    assert project.experiment.path == "/Shared/mlops/churn_dev/churn-experiment"
    assert names.cluster_policy_name(env, "ml-jobs") == "ml-jobs_dev"
    assert project.model.full_name == "mlops_dev.churn_models.churn_model"  # UC names: the catalog carries it


@pytest.mark.parametrize("env,protected", [("dev", False), ("staging", True), ("prod", True)])
def test_protection_and_grant_modes(resolved, env, protected):
    renv, project = resolved[env]
    assert renv.catalog.prevent_destroy is protected
    assert renv.catalog.grant_mode == "authoritative"  # created catalogs
    assert project.model.prevent_destroy is protected
    expected = {k: protected for k in project.schemas}
    if env == "staging":
        expected["monitoring"] = False  # override with a reason in churn.yaml
    assert {k: s.prevent_destroy for k, s in project.schemas.items()} == expected
    assert {k: s.grant_mode for k, s in project.schemas.items()} == {
        "features": "authoritative", "inference": "additive", "models": "authoritative",
        "monitoring": "authoritative"}


def test_referenced_catalog_grants_additively(platform):
    env = platform.environments["prod"]
    ref = env.model_copy(update={"catalog": env.catalog.model_copy(update={"create": False, "comment": None})})
    catalog = resolve_environment(ref).catalog
    assert (catalog.create, catalog.grant_mode, catalog.prevent_destroy) == (False, "additive", False)

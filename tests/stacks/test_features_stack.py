"""Issue 15 on the synthesized JSON and Terraform's verdict: governed feature tables, the
online stores of staging and prod, synced tables, feature lookup and the safe first deploy.

The shipped example is asserted as is; variants (a pending table, a feature serving
endpoint, the per-project layout, everything switched off) are synthesized from a copy
and planned with real terraform against the offline provider."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG, Synthesized, synth_config

INSTANCE = "databricks_database_instance"
CATALOG = "databricks_database_database_catalog"
SYNCED = "databricks_database_synced_database_table"
PREVIEW = (INSTANCE, CATALOG, SYNCED, "databricks_online_store")


def _body(r: dict) -> dict:
    return {k: v for k, v in r.items() if k != "//"}


def _one(example: Synthesized, stack: str, rtype: str) -> dict:
    (body,) = example.resources(stack, rtype).values()
    return _body(body)


def test_online_store_per_environment_only_where_configured(example: Synthesized) -> None:
    assert not any(example.resources("dev", t) for t in PREVIEW)  # dev has no store: no preview resource
    prod = _one(example, "prod", INSTANCE)
    assert prod == {"name": "features-online", "capacity": "CU_2", "node_count": 2,
                    "enable_readable_secondaries": True, "retention_window_in_days": 14,
                    "custom_tags": [{"key": "environment", "value": "prod"},
                                    {"key": "managed_by", "value": "cdktf"}, {"key": "tier", "value": "online"}],
                    "lifecycle": {"prevent_destroy": True}}
    staging = _one(example, "staging", INSTANCE)
    assert staging["name"] == "staging-features-online" and staging["capacity"] == "CU_1"
    assert staging["lifecycle"] == {"prevent_destroy": True} and "enable_readable_secondaries" not in staging


def test_database_catalog_registers_the_instance_in_unity_catalog(example: Synthesized) -> None:
    (address,) = example.resources("prod", INSTANCE)
    cat = _one(example, "prod", CATALOG)
    assert cat == {"name": "mlops_prod_features_online", "database_name": "features",
                   "database_instance_name": f"${{{INSTANCE}.{address}.name}}",
                   "create_database_if_not_exists": True, "lifecycle": {"prevent_destroy": True}}


def test_store_permissions_from_roles(example: Synthesized) -> None:
    perms = {k: _body(v) for k, v in example.resources("prod", "databricks_permissions").items()
             if "database_instance_name" in v}
    (body,) = perms.values()
    assert body["access_control"] == [
        {"permission_level": "CAN_USE", "service_principal_name": "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"},
        {"group_name": "ml-engineers", "permission_level": "CAN_MANAGE"}]


@pytest.mark.parametrize("stack,policy", [("staging", "TRIGGERED"), ("prod", "CONTINUOUS")])
def test_synced_table_keys_schedule_and_pipeline_storage(example: Synthesized, stack: str, policy: str) -> None:
    synced = _one(example, stack, SYNCED)
    spec = synced["spec"]
    assert spec["primary_key_columns"] == ["customer_id"] and spec["timeseries_key"] == "snapshot_date"
    assert spec["scheduling_policy"] == policy
    assert spec["create_database_objects_if_missing"] is True
    assert spec["source_table_full_name"].endswith(".customer_features")
    assert spec["source_table_full_name"].startswith("${databricks_schema.churn_schema_features_")
    pipeline = spec["new_pipeline_spec"]
    assert pipeline["storage_catalog"].startswith("${databricks_catalog.platform_catalog_")
    assert pipeline["storage_schema"].startswith("${databricks_schema.churn_schema_features_")
    assert synced["name"].startswith(f"${{{CATALOG}.") and synced["name"].endswith(".churn_features.customer_features")
    assert synced["lifecycle"] == {"prevent_destroy": True}


def test_feature_table_grants_are_table_level_and_additive(example: Synthesized) -> None:
    grants = {k: _body(v) for k, v in example.resources("staging", "databricks_grant").items()
              if k.startswith("churn_feature_table_customer_features_")}
    assert sorted((g["principal"], tuple(g["privileges"])) for g in grants.values()) == [
        ("analysts", ("SELECT",)), ("ml-engineers", ("SELECT",))]
    assert {g["table"] for g in grants.values()} == {"${databricks_schema.churn_schema_features_274A7A24.id}.customer_features"}


def test_comment_and_tags_go_to_the_code_that_creates_the_table(example: Synthesized) -> None:
    (job,) = [j for k, j in example.resources("prod", "databricks_job").items() if "feature_engineering" in k]
    tasks = {t["task_key"]: t for t in job["task"]}
    params = tasks["customer_features"]["notebook_task"]["base_parameters"]
    assert params["table_description"] == "Customer attributes per daily snapshot, keyed by customer_id"
    assert json.loads(params["table_tags"]) == {
        "cost_center": "CC-4711", "domain": "crm", "environment": "prod", "managed_by": "cdktf",
        "owner": "churn-team@example.com", "project": "churn"}
    # an ungoverned table is left exactly as before
    assert "table_tags" not in tasks["usage_features"]["notebook_task"]["base_parameters"]


def test_prod_endpoint_looks_features_up_after_its_synced_tables(example: Synthesized) -> None:
    (address,) = example.resources("prod", SYNCED)
    (endpoint,) = example.resources("prod", "databricks_model_serving").values()
    readers = [k for k in example.resources("prod", "databricks_grant") if k.startswith("churn_synced_table_")]
    assert endpoint["depends_on"] == [f"{SYNCED}.{address}", f"databricks_grant.{readers[0]}"]
    assert "config" in endpoint  # it serves
    reader = _body(example.resources("prod", "databricks_grant")[readers[0]])
    assert reader == {"principal": "4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90", "privileges": ["SELECT"],
                      "table": f"${{{SYNCED}.{address}.name}}"}  # the deployer: the endpoint's creator
    (staging_endpoint,) = example.resources("staging", "databricks_model_serving").values()
    assert "depends_on" not in staging_endpoint  # staging does not look features up


# ------------------------------------------------------------------ variants, planned for real


def _variant(tmp_path: Path, name: str, edits: dict[str, list[tuple[str, str]]], append: dict[str, str] = {}) -> Path:
    config = tmp_path / name
    shutil.copytree(EXAMPLE_CONFIG, config)
    for rel, pairs in edits.items():
        path = config / rel
        text = path.read_text()
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new, 1)
        path.write_text(text)
    for rel, extra in append.items():
        path = config / rel
        path.write_text(path.read_text() + extra)
    return config


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Synthesized]:
    tmp = tmp_path_factory.mktemp("feature-variants")
    pending = _variant(tmp, "pending", {"projects/churn.yaml": [
        ("        online: false\n", "        online: false\n        pending: true   # first deploy\n")]})
    spec_endpoint = ("serving:\n  endpoints:\n", "serving:\n  endpoints:\n"
                     "    customer-lookup:\n      description: Customer features by id\n"
                     "      entities:\n        spec:\n          feature_spec: mlops_prod.churn_features.customer_spec\n"
                     "      inference_table: {enabled: false}\n")
    spec = _variant(tmp, "spec", {"projects/churn.yaml": [spec_endpoint]})
    layout = _variant(tmp, "per-project", {}, {f"environments/{e}.yaml": "\nstacks:\n  layout: per-project\n"
                                                for e in ("dev", "staging", "prod")})
    return {name: synth_config(path, tmp / f"{name}-out")
            for name, path in (("pending", pending), ("spec", spec), ("per-project", layout))}


def test_pending_feature_table_holds_back_grants_synced_table_and_lookup_endpoint(variants) -> None:
    out = variants["pending"]
    for stack in ("staging", "prod"):
        assert not out.resources(stack, SYNCED)
        assert not [k for k in out.resources(stack, "databricks_grant") if "customer_features" in k]
        assert out.resources(stack, INSTANCE)  # the store itself is deployed
    (endpoint,) = out.resources("prod", "databricks_model_serving").values()
    assert "config" not in endpoint and "depends_on" not in endpoint  # held back like version: null
    (staging_endpoint,) = out.resources("staging", "databricks_model_serving").values()
    assert "config" in staging_endpoint  # no lookup: unaffected


def test_pending_notices(tmp_path: Path) -> None:
    import subprocess
    import sys

    from support import ROOT
    config = _variant(tmp_path, "c", {"projects/churn.yaml": [
        ("        online: false\n", "        online: false\n        pending: true\n")]})
    run = subprocess.run([sys.executable, "-m", "mlops_tools", "synth", "--config", str(config),
                          "--outdir", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    text = run.stdout + run.stderr
    assert "[prod] serving endpoint churn is pending: its model looks features up from customer_features" in text
    assert "feature table mlops_prod.churn_features.customer_features of project churn is pending" in text


def test_feature_serving_endpoint_serves_the_spec_by_name(variants) -> None:
    out = variants["spec"]
    endpoints = {_body(v)["name"]: _body(v) for v in out.resources("prod", "databricks_model_serving").values()}
    entity = endpoints["churn-customer-lookup"]["config"]["served_entities"]
    assert entity == [{"entity_name": "mlops_prod.churn_features.customer_spec", "name": "spec",
                       "scale_to_zero_enabled": False, "workload_size": "Small", "workload_type": "CPU"}]


def test_per_project_layout_refers_to_the_platform_store_by_name(variants) -> None:
    out = variants["per-project"]
    assert out.resources("prod-platform", INSTANCE) and not out.resources("prod-churn", INSTANCE)
    synced = _one(out, "prod-churn", SYNCED)
    assert synced["name"] == "mlops_prod_features_online.churn_features.customer_features"


@pytest.mark.terraform
@pytest.mark.parametrize("variant", ["pending", "spec", "per-project"])
def test_variants_validate_and_plan_offline(variants, terraform: str, variant: str) -> None:
    from mlops_tools.offline.harness import verify_stack

    out = variants[variant]
    for name in sorted(out.stacks):
        result = verify_stack(out.stack_dir(name))
        assert result.ok, f"{variant}/{name}:\n{result.failure_text()}"

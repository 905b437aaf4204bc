"""Imports files at synth time, and Terraform's verdict: the stacks carry ``import`` blocks,
the offline plan shows every adopted resource as an import (``change.importing``), never as a
create, the review counts the imports, and an apply adopts the objects by their ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_tools.importer_file import IMPORTS_DIR
from platform_config.errors import ConfigError
from mlops_engine import DEFAULT_ENGINE, ENGINE, ENGINES
from support import EXAMPLE_CONFIG, Synthesized, engine_neutral, synth_config

DEV_IMPORTS = {
    "catalog": ("databricks_catalog.platform_catalog_D2537C63", "mlops_dev"),
    "sql_warehouses.default": ("databricks_sql_endpoint.platform_sql_warehouse_default_859147BE", "d1184b8c2a8a87eb"),  # pragma: allowlist secret (a documented example id)
    "compute.cluster_policies.ml-jobs": ("databricks_cluster_policy.cluster_policies_ml-jobs_policy_7DB0419F",
                                         "D96308F1BF0003A7"),  # pragma: allowlist secret (a documented example id)
    "churn.schemas.features": ("databricks_schema.churn_schema_features_274A7A24", "mlops_dev.churn_features"),
    "databricks_volume.churn_volume_raw_extracts_2BE84BCF": ("databricks_volume.churn_volume_raw_extracts_2BE84BCF",
                                                             "mlops_dev.churn_features.raw_extracts"),
    "churn.jobs.training": ("databricks_job.churn_training_job_8DF4A991", "123456789"),
    "churn.serving.endpoints.churn": ("databricks_model_serving.churn_serving_churn_D6F30F8B", "dev-churn"),
    "churn/experiment": ("databricks_mlflow_experiment.churn_experiment_461EABD8", "3141592653"),
    "churn.model": ("databricks_registered_model.churn_model_353D20CB", "mlops_dev.churn_models.churn_model"),
}
EXPECTED = {to: import_id for to, import_id in DEV_IMPORTS.values()}


def _imports_yaml(entries: dict[str, str]) -> str:
    return "imports:\n" + "".join(f"  {json.dumps(k)}: {json.dumps(v)}\n" for k, v in entries.items())


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> Synthesized:
    """The example with imports for dev (per-environment) and staging (switched to per-project)."""
    config = tmp_path_factory.mktemp("adopt") / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    staging = config / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "\nstacks:\n  layout: per-project\n")
    (config / IMPORTS_DIR).mkdir()
    (config / IMPORTS_DIR / "dev.yaml").write_text(_imports_yaml({k: v for k, (_, v) in DEV_IMPORTS.items()}))
    (config / IMPORTS_DIR / "staging.yaml").write_text(_imports_yaml(
        {"catalog": "mlops_staging", "churn.jobs.training": "987654321"}))
    return synth_config(config, config.parent / "cdktf.out")


def test_the_stacks_carry_import_blocks(adopted):
    blocks = adopted.stacks["dev"]["import"]
    assert {b["to"]: b["id"] for b in blocks} == EXPECTED
    assert all(set(b) == {"to", "id"} for b in blocks)
    assert adopted.stacks["staging-platform"]["import"] == [
        {"id": "mlops_staging", "to": "databricks_catalog.platform_catalog_D2537C63"}]
    assert adopted.stacks["staging-churn"]["import"] == [
        {"id": "987654321", "to": "databricks_job.churn_training_job_8DF4A991"}]


def test_an_environment_without_an_imports_file_is_unchanged(adopted):
    golden = Path(__file__).resolve().parents[1] / "golden" / "per-environment" / "prod.tf.json"
    assert "import" not in adopted.stacks["prod"]
    if ENGINE.name == DEFAULT_ENGINE:
        assert (adopted.stack_dir("prod") / "cdk.tf.json").read_bytes() == golden.read_bytes()
    else:  # recorded with the default engine (tests/golden): equal up to the version strings
        assert engine_neutral(adopted.stacks["prod"]) == engine_neutral(json.loads(golden.read_text()),
                                                                         ENGINES[DEFAULT_ENGINE])


def test_bad_imports_stop_synth_with_every_problem_and_write_nothing(config_copy, tmp_path):
    from mlops_tools.cli import main

    (config_copy / IMPORTS_DIR).mkdir()
    (config_copy / IMPORTS_DIR / "dev.yaml").write_text(
        "imports:\n"
        "  churn.jobs.trainig: '1'\n"                      # no such resource
        "  churn.schemas.features: churn_features\n"       # a schema id is <catalog>.<schema>
        "  catalog: mlops_dev\n"
        "  databricks_catalog.platform_catalog_D2537C63: mlops_dev\n"   # the catalog again
        "  churn.model: null\n")                           # synth never looks ids up
    outdir = tmp_path / "cdktf.out"
    assert main(["synth", "--config", str(config_copy), "--outdir", str(outdir)]) == 2
    assert not outdir.exists()
    with pytest.raises(ConfigError) as exc:
        synth_config(config_copy, outdir)
    assert [d.key for d in exc.value.diagnostics] == ["churn.model"]  # ids first, before any jsii
    (config_copy / IMPORTS_DIR / "dev.yaml").write_text(
        (config_copy / IMPORTS_DIR / "dev.yaml").read_text().replace("  churn.model: null\n", ""))
    with pytest.raises(ConfigError) as exc:
        synth_config(config_copy, outdir)
    problems = {d.line: str(d) for d in exc.value.diagnostics}
    assert sorted(problems) == [2, 3, 5]
    assert "did you mean: churn.jobs.training" in problems[2]
    assert "<catalog_name>.<name>" in problems[3]
    assert "duplicate import of databricks_catalog.platform_catalog_D2537C63" in problems[5]
    assert all("imports/dev.yaml:" in p for p in problems.values())
    assert not outdir.exists()


# ----------------------------------------------------------------------------- terraform

@pytest.fixture(scope="module")
def dev_plan(adopted, tmp_path_factory):
    from mlops_tools.offline.harness import terraform_binary, verify_stack
    from support import terraform_or_skip

    terraform_or_skip()
    terraform_binary()
    result = verify_stack(adopted.stack_dir("dev"))
    assert result.ok, result.failure_text()
    return result


@pytest.mark.terraform
def test_the_plan_imports_instead_of_creating(dev_plan):
    changes = {c["address"]: c["change"] for c in dev_plan.plan["resource_changes"]}
    imported = {a: c["importing"]["id"] for a, c in changes.items() if c.get("importing")}
    assert imported == EXPECTED
    for address in EXPECTED:
        assert "create" not in changes[address]["actions"], address
        assert "delete" not in changes[address]["actions"], address
    created = {a for a, c in changes.items() if c["actions"] == ["create"]}
    assert "databricks_schema.churn_schema_models_9BB818A1" in created  # not imported: still created
    assert f"Plan: {len(EXPECTED)} to import, " in dev_plan.plan_text


@pytest.mark.terraform
def test_the_review_counts_imports(dev_plan):
    from mlops_tools.review.markdown import render
    from mlops_tools.review.plan_review import Review, review_plan

    stack = review_plan("dev", dev_plan.plan)
    counts = stack.counts()
    assert counts["import"] == len(EXPECTED)
    assert counts["create"] == sum(1 for c in dev_plan.plan["resource_changes"] if c["change"]["actions"] == ["create"])
    text = render(Review([stack]))
    assert f"{len(EXPECTED)} to import" in text
    assert "imports `123456789`" in text


@pytest.mark.terraform
def test_plan_command_table_has_an_import_column(dev_plan, tmp_path):
    from mlops_tools.plan_command import PlanRow, format_rows

    row = PlanRow("dev", True, {**dev_plan.counts(), "import": dev_plan.import_count()}, 1.0,
                  tmp_path / "dev.txt", "")
    header, _, line, _ = format_rows([row], root=tmp_path).splitlines()
    assert header.split()[:3] == ["stack", "result", "import"]
    assert line.split()[2] == str(len(EXPECTED))


@pytest.mark.terraform
def test_an_id_naming_another_object_plans_the_replacement(adopted, tmp_path):
    from mlops_tools.offline.harness import verify_stack

    stack = tmp_path / "dev"
    shutil.copytree(adopted.stack_dir("dev"), stack)
    doc = json.loads((stack / "cdk.tf.json").read_text())
    for block in doc["import"]:
        if block["to"].startswith("databricks_schema."):
            block["id"] = "mlops_dev.hand_built_features"  # the config names churn_features
    (stack / "cdk.tf.json").write_text(json.dumps(doc))
    result = verify_stack(stack)
    assert result.ok, result.failure_text()
    change = next(c["change"] for c in result.plan["resource_changes"]
                  if c["address"] == "databricks_schema.churn_schema_features_274A7A24")
    assert change["importing"] == {"id": "mlops_dev.hand_built_features"}
    assert change["actions"] == ["delete", "create"] and ["name"] in change["replace_paths"]


@pytest.mark.terraform
def test_apply_adopts_the_objects_by_id_and_the_next_plan_creates_nothing_of_them(adopted, tmp_path):
    from mlops_tools.offline.harness import apply_stack, verify_stack

    state = tmp_path / "dev.tfstate"
    applied = apply_stack(adopted.stack_dir("dev"), state)
    assert applied.ok, applied.failure_text()
    ids = {f"{r['type']}.{r['name']}": r["instances"][0]["attributes"]["id"]
           for r in json.loads(state.read_text())["resources"] if r["mode"] == "managed"}
    assert {a: ids[a] for a in EXPECTED} == EXPECTED
    again = verify_stack(adopted.stack_dir("dev"), state=state)  # the import blocks are now no-ops
    assert again.ok, again.failure_text()
    actions = {c["address"]: c["change"]["actions"] for c in again.plan["resource_changes"]}
    assert all(actions[a] == ["no-op"] for a in EXPECTED), {a: actions[a] for a in EXPECTED}

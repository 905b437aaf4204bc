"""The imports file and the address mapping (mlops_tools.importer), without jsii: keys are
matched against the resources of the recorded golden stacks, bad input is located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_tools.importer import config_key, resolve, resources_from_json
from mlops_tools.importer_file import (ImportEntry, parse_id_options, read_environment_imports, read_imports_file,
                                       render_imports_file)
from platform_config.errors import ConfigError

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def dev() -> list:
    return resources_from_json("dev", json.loads((GOLDEN / "per-environment" / "dev.tf.json").read_text()))


@pytest.fixture(scope="module")
def dev_per_project() -> list:
    out = []
    for stack in ("dev-platform", "dev-churn"):
        out += resources_from_json(stack, json.loads((GOLDEN / "per-project" / f"{stack}.tf.json").read_text()))
    return out


def _problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(d) for d in exc.value.diagnostics]


EXPECTED_KEYS = {
    "catalog": "databricks_catalog.platform_catalog_D2537C63",
    "sql_warehouses.default": "databricks_sql_endpoint.platform_sql_warehouse_default_859147BE",
    "compute.cluster_policies.ml-jobs": "databricks_cluster_policy.cluster_policies_ml-jobs_policy_7DB0419F",
    "churn.schemas.features": "databricks_schema.churn_schema_features_274A7A24",
    "churn.volumes.raw_extracts": "databricks_volume.churn_volume_raw_extracts_2BE84BCF",
    "churn.jobs.training": "databricks_job.churn_training_job_8DF4A991",
    "churn.jobs.batch_inference": "databricks_job.churn_batch_inference_job_2B4C34DA",
    "churn.serving.endpoints.churn": "databricks_model_serving.churn_serving_churn_D6F30F8B",
    "churn.experiment": "databricks_mlflow_experiment.churn_experiment_461EABD8",
    "churn.model": "databricks_registered_model.churn_model_353D20CB",
}


@pytest.mark.parametrize("layout", ["per-environment", "per-project"])
def test_config_keys_name_the_same_address_in_both_layouts(layout, dev, dev_per_project):
    resources = dev if layout == "per-environment" else dev_per_project
    entries = [ImportEntry(key, None, "f.yaml", n) for n, key in enumerate(EXPECTED_KEYS, 1)]
    resolved = resolve(entries, resources, "dev")
    assert {i.entry.key: i.to for i in resolved} == EXPECTED_KEYS
    if layout == "per-project":
        stacks = {i.entry.key: i.resource.stack for i in resolved}
        assert stacks["catalog"] == "dev-platform" and stacks["churn.jobs.training"] == "dev-churn"


def test_an_address_and_a_construct_path_name_a_resource_too(dev):
    entries = [ImportEntry("databricks_job.churn_training_job_8DF4A991", "1", "--id"),
               ImportEntry("churn/schema_models", "mlops_dev.churn_models", "--id"),
               ImportEntry("dev/churn/model/Resource", "mlops_dev.churn_models.churn_model", "--id")]
    assert [i.to for i in resolve(entries, dev, "dev")] == [
        "databricks_job.churn_training_job_8DF4A991", "databricks_schema.churn_schema_models_9BB818A1",
        "databricks_registered_model.churn_model_353D20CB"]


def test_every_importable_resource_of_the_example_has_a_config_key(dev):
    from databricks_spec.import_ids import IMPORTABLE_TYPES

    unkeyed = [r.address for r in dev if r.type in IMPORTABLE_TYPES and not r.config_key
               and not r.path.endswith("/Schedule")]  # alert schedule jobs: named by address
    assert unkeyed == []
    assert config_key("databricks_job", "churn/alert_feature_nulls/Schedule") is None


def test_an_unknown_key_lists_close_matches_with_file_and_line(dev):
    with pytest.raises(ConfigError) as exc:
        resolve([ImportEntry("churn.jobs.trainig", "1", "config/imports/dev.yaml", 3)], dev, "dev")
    (message,) = _problems(exc)
    assert message.startswith("config/imports/dev.yaml:3 churn.jobs.trainig: no resource")
    assert "did you mean: churn.jobs.training" in message


def test_a_mistyped_address_lists_the_address(dev):
    with pytest.raises(ConfigError) as exc:
        resolve([ImportEntry("databricks_job.churn_training_job", "1", "--id")], dev, "dev")
    assert "databricks_job.churn_training_job_8DF4A991" in _problems(exc)[0]


def test_an_id_of_another_format_is_refused(dev):
    entries = [ImportEntry("churn.jobs.training", "dev-churn-training-job", "f.yaml", 2),
               ImportEntry("churn.schemas.features", "churn_features", "f.yaml", 3),
               ImportEntry("churn.model", "42", "f.yaml", 4)]
    with pytest.raises(ConfigError) as exc:
        resolve(entries, dev, "dev")
    problems = _problems(exc)
    assert len(problems) == 3
    assert "f.yaml:2 churn.jobs.training: databricks_job.churn_training_job_8DF4A991: id " \
           "'dev-churn-training-job' does not match: databricks_job is imported by <job-id>" in problems[0]
    assert "<catalog_name>.<name>" in problems[1]
    assert "<catalog_name>.<schema_name>.<name>" in problems[2]


def test_a_resource_type_that_is_not_adopted_is_refused(dev):
    grants = next(r for r in dev if r.type == "databricks_grants")
    with pytest.raises(ConfigError) as exc:
        resolve([ImportEntry(grants.address, "catalog/mlops_dev", "--id")], dev, "dev")
    assert "not a type mlops import adopts" in _problems(exc)[0]


def test_duplicates_are_refused(dev):
    twice = [ImportEntry("churn.jobs.training", "1", "f.yaml", 2),
             ImportEntry("databricks_job.churn_training_job_8DF4A991", "1", "f.yaml", 3)]
    with pytest.raises(ConfigError) as exc:
        resolve(twice, dev, "dev")
    (message,) = _problems(exc)
    assert message.startswith("f.yaml:3 databricks_job.churn_training_job_8DF4A991: duplicate import of "
                              "databricks_job.churn_training_job_8DF4A991: already imported by "
                              "'churn.jobs.training' (f.yaml:2)")
    one_object = [ImportEntry("churn.jobs.training", "7", "f.yaml", 2),
                  ImportEntry("churn.jobs.retraining", "7", "f.yaml", 5)]
    with pytest.raises(ConfigError) as exc:
        resolve(one_object, dev, "dev")
    assert "f.yaml:5 churn.jobs.retraining: duplicate import: databricks_job '7' is already imported" \
           in _problems(exc)[0]
    other_id = [ImportEntry("churn.jobs.training", "1", "f.yaml", 2), ImportEntry("churn.jobs.training", "2", "--id")]
    with pytest.raises(ConfigError):
        resolve(other_id, dev, "dev")


def test_the_same_entry_given_again_on_the_command_line_is_one_import(dev):
    same = [ImportEntry("churn.jobs.training", "1", "f.yaml", 2), ImportEntry("churn.jobs.training", "1", "--id")]
    assert len(resolve(same, dev, "dev")) == 1


# ----------------------------------------------------------------------------- the file

def test_a_file_round_trips(tmp_path):
    entries = [ImportEntry("churn.jobs.training", "123"), ImportEntry("catalog", "mlops_dev"),
               ImportEntry("churn.model", None)]
    path = tmp_path / "dev.yaml"
    path.write_text(render_imports_file(entries, "dev"))
    read = read_imports_file(path)
    assert [(e.key, e.id, e.line) for e in read] == [("catalog", "mlops_dev", 5), ("churn.jobs.training", "123", 6),
                                                     ("churn.model", None, 7)]
    empty = tmp_path / "empty.yaml"
    empty.write_text(render_imports_file([], "dev"))
    assert read_imports_file(empty) == []


def test_an_unquoted_job_id_is_read_as_its_digits(tmp_path):
    path = tmp_path / "dev.yaml"
    path.write_text("imports:\n  churn.jobs.training: 123456789012345\n")
    assert read_imports_file(path)[0].id == "123456789012345"


@pytest.mark.parametrize("text,where,summary", [
    ("- churn.jobs.training\n", ":1", "holds one mapping"),
    ("imports:\n  a: 1\nextra: 2\n", ":3 extra:", "holds one mapping"),
    ("imports: [a, b]\n", ":1 imports:", "must be a mapping"),
    ("imports:\n  churn.jobs.training: true\n", ":2 churn.jobs.training:", "not a boolean"),
    ("imports:\n  churn.jobs.training: -3\n", ":2 churn.jobs.training:", "never negative"),
    ("imports:\n  churn.jobs.training: [1]\n", ":2 churn.jobs.training:", "not a list"),
    ("imports:\n  churn.jobs.training: ' 12'\n", ":2 churn.jobs.training:", "without surrounding spaces"),
    ("imports:\n  a: 1\n  a: 2\n", ":3", "duplicate"),
    ("imports:\n  a: !!python/object:os.system x\n", ":2", "tag"),
])
def test_bad_files_are_located(tmp_path, text, where, summary):
    path = tmp_path / "dev.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        read_imports_file(path)
    message = _problems(exc)[0]
    assert f"dev.yaml{where}" in message and summary in message, message


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "dev.yaml"
    path.write_text("\n".join(lines) + "\nimports: *a8\n")
    with pytest.raises(ConfigError):
        read_imports_file(path)


def test_imports_files_are_found_strictly(tmp_path):
    folder = tmp_path / "imports"
    folder.mkdir()
    (folder / "dev.yaml").write_text("imports:\n  catalog: mlops_dev\n")
    assert {env: [e.key for e in entries]
            for env, entries in read_environment_imports(tmp_path, ["dev", "prod"]).items()} == {"dev": ["catalog"]}
    (folder / "qa.yaml").write_text("imports: {}\n")
    (folder / "prod.yml").write_text("imports: {}\n")
    with pytest.raises(ConfigError) as exc:
        read_environment_imports(tmp_path, ["dev", "prod"])
    problems = _problems(exc)
    assert len(problems) == 2 and all("named <environment>.yaml" in p for p in problems)
    assert read_environment_imports(tmp_path / "nothing-here", ["dev"]) == {}


@pytest.mark.parametrize("value", ["=5", "churn.jobs.training=", "x" * 400])
def test_malformed_id_options_are_refused(value):
    with pytest.raises(ConfigError) as exc:
        parse_id_options([value])
    assert _problems(exc)[0].startswith("--id")


def test_id_options():
    assert [(e.key, e.id, e.file) for e in parse_id_options(["churn.jobs.training=12", "catalog"])] == [
        ("churn.jobs.training", "12", "--id"), ("catalog", None, "--id")]


def test_the_documented_imports_file_works_as_written(tmp_path, dev):
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "adopting.md").read_text()
    snippet = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "dev.yaml"
    path.write_text(snippet)
    resolved = resolve(read_imports_file(path), dev, "dev")
    assert {i.to: i.id for i in resolved} == {
        "databricks_catalog.platform_catalog_D2537C63": "mlops_dev",
        "databricks_job.churn_training_job_8DF4A991": "123456789012345",
        "databricks_schema.churn_schema_features_274A7A24": "mlops_dev.churn_features"}

"""The example app: one stack per environment with each project's registered
model, experiment and their permissions; deterministic, address-stable output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from support import PROVIDER_VERSION, ROOT, Synthesized, read_outdir, synth_config
from platform_config.secrets import SECRET_KEYS, SECRET_REFERENCE, find_secret_like

ENVS = ("dev", "staging", "prod")


def only(resources: dict[str, dict]) -> dict:
    assert len(resources) == 1, list(resources)
    return next(iter(resources.values()))


def by_path(example: Synthesized, stack: str, rtype: str, suffix: str) -> dict:
    hits = [r for r in example.resources(stack, rtype).values()
            if r["//"]["metadata"]["path"].endswith(suffix)]
    assert len(hits) == 1, (rtype, suffix, len(hits))
    return hits[0]


def test_one_stack_per_environment(example: Synthesized) -> None:
    assert set(ENVS) <= set(example.stacks)
    for env in ENVS:
        assert (example.stack_dir(env) / "cdk.tf.json").is_file()


@pytest.mark.parametrize("env", ENVS)
def test_provider_pins_version_and_holds_no_credentials(example: Synthesized, env: str) -> None:
    doc = example.stacks[env]
    assert doc["terraform"]["required_providers"]["databricks"] == {
        "source": "databricks/databricks", "version": PROVIDER_VERSION}
    provider = only({"p": p for p in doc["provider"]["databricks"]})
    host = yaml.safe_load((ROOT / "config/environments" / f"{env}.yaml").read_text())["workspace"]["host"]
    assert provider["host"] == host
    assert not {"token", "password", "client_secret", "client_id", "azure_client_secret"} & set(provider)


@pytest.mark.parametrize("env,catalog", [("dev", "mlops_dev"), ("staging", "mlops_staging"),
                                         ("prod", "mlops_prod")])
def test_registered_model_per_environment(example: Synthesized, env: str, catalog: str) -> None:
    model = by_path(example, env, "databricks_registered_model", "/churn/model/Resource")
    # the model references the catalog resource (Terraform orders it after the catalog)
    (cat_key,) = [k for k, v in example.resources(env, "databricks_catalog").items() if v["name"] == catalog]
    assert model["catalog_name"] == f"${{databricks_catalog.{cat_key}.name}}"
    assert model["name"] == "churn_model"
    assert model["comment"] == "Customer churn classification (30-day horizon)"


def test_model_grants_follow_roles_and_overrides(example: Synthesized) -> None:
    def grants(env: str) -> dict[str, list[str]]:
        res = by_path(example, env, "databricks_grants", "/churn/model/Grants/Resource")
        assert res["model"].startswith("${databricks_registered_model.")
        return {g["principal"]: g["privileges"] for g in res["grant"]}

    # the deployer (dev: the ml-engineers group; prod: the deployer service principal) keeps
    # APPLY_TAG, EXECUTE, MANAGE in authoritative grants (docs/governance.md)
    assert grants("dev") == {"analysts": ["EXECUTE"], "churn-team": ["ALL_PRIVILEGES"],
                             "ml-engineers": ["APPLY_TAG", "EXECUTE", "MANAGE"]}
    # prod overrides the project role's group and narrows privileges
    assert grants("prod") == {"analysts": ["EXECUTE"], "churn-team-prod": ["APPLY_TAG", "EXECUTE"],
                              "ml-engineers": ["EXECUTE"],
                              "4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90": ["APPLY_TAG", "EXECUTE", "MANAGE"]}


@pytest.mark.parametrize("env,path", [
    ("dev", "/Shared/mlops/dev-churn/churn-experiment"),
    ("staging", "/Shared/mlops/staging-churn/churn-experiment"),
    ("prod", "/Shared/mlops/churn/churn-experiment"),
])
def test_experiment_path_follows_naming_rule(example: Synthesized, env: str, path: str) -> None:
    assert by_path(example, env, "databricks_mlflow_experiment", "/churn/experiment/Resource")["name"] == path


def test_experiment_permissions_sorted_and_overridden(example: Synthesized) -> None:
    def acl(env: str) -> list[tuple[str, str]]:
        res = by_path(example, env, "databricks_permissions", "/churn/experiment/Permissions/Resource")
        assert res["experiment_id"].startswith("${databricks_mlflow_experiment.")
        return [(a["group_name"], a["permission_level"]) for a in res["access_control"]]

    assert acl("dev") == [("analysts", "CAN_READ"), ("churn-team", "CAN_MANAGE"),
                          ("data-scientists", "CAN_MANAGE")]
    assert acl("staging") == [("analysts", "CAN_READ"), ("churn-team", "CAN_MANAGE"),
                              ("data-scientists", "CAN_EDIT")]


def _all_strings(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _all_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _all_strings(v, key)
    elif isinstance(value, str):
        yield key, value


def test_no_secret_like_value_in_any_synthesized_file(example: Synthesized) -> None:
    files = [p for p in example.outdir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text()
        assert find_secret_like(text) is None, path
        if path.suffix == ".json":
            for key, value in _all_strings(json.loads(text)):
                if (key and SECRET_KEYS.search(str(key)) and not value.startswith("${")
                        and not SECRET_REFERENCE.match(value)):  # {{secrets/...}} is a reference, not a value
                    pytest.fail(f"{path}: literal value under secret-like key {key!r}")


def test_synth_is_byte_identical(example: Synthesized, tmp_path: Path) -> None:
    again = synth_config(ROOT / "config", tmp_path / "again")
    for name in example.stacks:
        first = (example.stack_dir(name) / "cdk.tf.json").read_bytes()
        second = (again.stack_dir(name) / "cdk.tf.json").read_bytes()
        assert first == second, name
    assert (example.outdir / "manifest.json").read_bytes() == (again.outdir / "manifest.json").read_bytes()


def _reverse_keys(value):
    if isinstance(value, dict):
        return {k: _reverse_keys(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_reverse_keys(v) for v in value]
    return value


def _reversed_lists(value, key=None):
    """Reverse the order of lists of role members and of mappings, everything YAML order can touch."""
    if isinstance(value, dict):
        return {k: _reversed_lists(v, k) for k, v in reversed(list(value.items()))}
    if isinstance(value, list) and key in ("groups", "users", "service_principals"):
        return list(reversed(value))
    if isinstance(value, list):
        return [_reversed_lists(v) for v in value]
    return value


def _strip_metadata(doc: dict) -> dict:
    return json.loads(re.sub(r'"//": \{[^{}]*\{[^{}]*\}[^{}]*\},?', "", json.dumps(doc)))


def test_reordering_yaml_and_renaming_files_changes_nothing(config_copy: Path, tmp_path: Path,
                                                            example: Synthesized) -> None:
    for path in sorted(config_copy.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        path.write_text(yaml.safe_dump(_reversed_lists(data), sort_keys=False))
    (config_copy / "projects/churn.yaml").rename(config_copy / "projects/zz-renamed.yaml")
    other = synth_config(config_copy, tmp_path / "out")
    for name, doc in example.stacks.items():
        assert other.stacks[name] == doc, name


def test_adding_a_project_changes_no_existing_address(config_copy: Path, tmp_path: Path,
                                                      example: Synthesized) -> None:
    text = (config_copy / "projects/churn.yaml").read_text()
    (config_copy / "projects/aaa-fraud.yaml").write_text(
        text.replace("name: churn", "name: aaa-fraud").replace("name: churn_model", "name: fraud_model"))
    other = synth_config(config_copy, tmp_path / "out")
    for name, doc in example.stacks.items():
        for rtype, resources in doc["resource"].items():
            for address, body in resources.items():
                assert other.stacks[name]["resource"][rtype][address] == body, address
        assert any("aaa-fraud" in r["//"]["metadata"]["path"]
                   for rs in other.stacks[name]["resource"].values() for r in rs.values())


def test_per_project_layout(config_copy: Path, tmp_path: Path, example: Synthesized) -> None:
    path = config_copy / "environments/staging.yaml"
    path.write_text(path.read_text() + "stacks:\n  layout: per-project\n")
    other = synth_config(config_copy, tmp_path / "out")
    assert {"staging-platform", "staging-churn"} <= set(other.stacks)
    assert "staging" not in other.stacks
    manifest = json.loads((other.outdir / "manifest.json").read_text())
    assert manifest["stacks"]["staging-churn"]["dependencies"] == ["staging-platform"]
    # the project's resources keep their addresses when moving between layouts
    for rtype, resources in other.stacks["staging-churn"]["resource"].items():
        for address in resources:
            assert address in example.stacks["staging"]["resource"][rtype], address
    backend = other.stacks["staging-churn"]["terraform"]["backend"]["azurerm"]
    assert backend["key"] == "mlops/staging-churn.tfstate"  # one state per stack


def test_cli_prints_stack_table(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, str(root / "main.py"), "--outdir", str(tmp_path / "out")],
                            cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "end-of-life" not in (result.stdout + result.stderr).lower()
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["stack", "resources", "output"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    for env in ENVS:
        assert int(rows[env][1]) > 0
        assert rows[env][2].endswith(f"stacks/{env}/cdk.tf.json")
    assert read_outdir(tmp_path / "out").stacks.keys() == rows.keys()

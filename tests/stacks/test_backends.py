"""State backends per environment from config: local, Terraform Cloud, S3, azurerm, gcs."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import Synthesized, synth_config
from platform_config import ConfigError, load_platform

BACKENDS = {
    "local": "backend:\n  type: local\n",
    "tfc": "backend:\n  type: cloud\n  organization: acme\n  project: ml-platform\n",
    "aws": "backend:\n  type: s3\n  bucket: acme-tf-state\n  region: eu-west-1\n  dynamodb_table: tf-locks\n",
    "azure": ("backend:\n  type: azurerm\n  resource_group_name: rg-tf\n"
              "  storage_account_name: acmetfstate\n  container_name: tfstate\n"),
    "gcp": "backend:\n  type: gcs\n  bucket: acme-tf-state\n",
}


def env_yaml(name: str, backend: str) -> str:
    return (f"workspace:\n  host: https://{name}.cloud.databricks.com\ncloud: aws\n"
            f"catalog:\n  name: cat_{name}\n{backend}")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> Synthesized:
    config = tmp_path_factory.mktemp("backends") / "config"
    (config / "environments").mkdir(parents=True)
    for name, backend in BACKENDS.items():
        (config / "environments" / f"{name}.yaml").write_text(env_yaml(name, backend))
    return synth_config(config, config.parent / "out")


def backend_of(synthesized: Synthesized, stack: str) -> dict:
    return synthesized.stacks[stack]["terraform"]


def test_local_backend_default_path(synthesized: Synthesized) -> None:
    assert backend_of(synthesized, "local")["backend"] == {"local": {"path": "terraform.local.tfstate"}}


def test_terraform_cloud_one_workspace_per_stack(synthesized: Synthesized) -> None:
    cloud = backend_of(synthesized, "tfc")["cloud"]
    assert cloud == {"hostname": "app.terraform.io", "organization": "acme",
                     "workspaces": {"name": "mlops-tfc", "project": "ml-platform"}}
    assert "backend" not in backend_of(synthesized, "tfc")


def test_s3_backend_key_per_stack(synthesized: Synthesized) -> None:
    assert backend_of(synthesized, "aws")["backend"]["s3"] == {
        "bucket": "acme-tf-state", "region": "eu-west-1", "key": "mlops/aws.tfstate",
        "dynamodb_table": "tf-locks", "encrypt": True, "use_lockfile": True}


def test_azurerm_backend(synthesized: Synthesized) -> None:
    assert backend_of(synthesized, "azure")["backend"]["azurerm"] == {
        "resource_group_name": "rg-tf", "storage_account_name": "acmetfstate",
        "container_name": "tfstate", "key": "mlops/azure.tfstate", "use_azuread_auth": True}


def test_gcs_backend(synthesized: Synthesized) -> None:
    assert backend_of(synthesized, "gcp")["backend"]["gcs"] == {"bucket": "acme-tf-state",
                                                              "prefix": "mlops/gcp"}


def test_backend_errors_name_the_key(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "x.yaml").write_text(env_yaml("x", "backend:\n  type: s3\n  bucket: b\n"))
    (tmp_path / "environments" / "y.yaml").write_text(env_yaml("y", "backend:\n  type: consul\n"))
    with pytest.raises(ConfigError) as info:
        load_platform(tmp_path)
    messages = [str(p) for p in info.value.problems]
    assert any("x.yaml:6 backend.region: required key is missing" in m for m in messages), messages
    assert any("y.yaml:7 backend.type: unknown value" in m and "consul" in m for m in messages), messages

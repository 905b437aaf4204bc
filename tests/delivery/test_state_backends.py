"""State that survives CI: environments CI deploys need a remote backend (docs/delivery.md, State).

The shipped staging and prod are refused when switched to plain local state, accepted with
``allow_local_state`` and a reason; their azurerm backends synthesize with one state key per
stack and plan offline without any credential (the harness rewrites them to local state).
"""

from __future__ import annotations

import json
import os

import pytest
from support import config_problems, edit_yaml, line_of, problem_at

from mlops_tools.cli import main
from platform_config import load_platform
from platform_config.delivery import deployed_by_ci

LOCAL = {"type": "local"}


def _set_backend(backend: dict):
    def change(doc: dict) -> None:
        doc["backend"] = backend
    return change


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_shipped_ci_environment_with_local_state_is_a_config_error(config_copy, env):
    path = edit_yaml(config_copy, f"environments/{env}.yaml", _set_backend(LOCAL))
    problem = problem_at(config_problems(config_copy), "backend.type")
    assert problem.file.endswith(f"environments/{env}.yaml")
    assert problem.line == line_of(path, "type: local")
    workflow = {"staging": "deploy-staging.yml", "prod": "release.yml"}[env]
    assert f".github/workflows/{workflow}" in problem.summary and "allow_local_state" in problem.summary


def test_the_command_exits_2_naming_file_and_line(config_copy, tmp_path, capsys):
    path = edit_yaml(config_copy, "environments/prod.yaml", _set_backend(LOCAL))
    assert main(["synth", "--config", str(config_copy), "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"prod.yaml:{line_of(path, 'type: local')} backend.type:" in err
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_local_state_with_allow_local_state_and_a_reason_is_accepted(config_copy, env):
    edit_yaml(config_copy, f"environments/{env}.yaml", _set_backend(
        {"type": "local", "allow_local_state": True, "reason": "self-hosted runner with a persistent disk"}))
    platform = load_platform(config_copy)
    backend = platform.environments[env].backend
    assert backend.type == "local" and backend.allow_local_state


def test_allow_local_state_needs_a_reason(config_copy):
    path = edit_yaml(config_copy, "environments/prod.yaml", _set_backend(
        {"type": "local", "allow_local_state": True}))
    problem = problem_at(config_problems(config_copy), "backend.allow_local_state")
    assert "needs a reason" in problem.summary and problem.line == line_of(path, "allow_local_state")


def test_an_environment_marked_as_deployed_by_ci_needs_remote_state_too(config_copy):
    platform = load_platform(config_copy)
    assert not deployed_by_ci(platform.environments["dev"])  # dev: engineers, local state is fine
    assert deployed_by_ci(platform.environments["staging"]) and deployed_by_ci(platform.environments["prod"])

    def mark(doc: dict) -> None:
        doc["delivery"] = {"deployed_by": "ci"}
    edit_yaml(config_copy, "environments/dev.yaml", mark)
    problem = problem_at(config_problems(config_copy), "backend.type")
    assert problem.file.endswith("environments/dev.yaml") and "delivery.deployed_by: ci" in problem.summary


def test_a_shipped_workflow_environment_cannot_be_declared_manual(config_copy):
    def manual(doc: dict) -> None:
        doc["delivery"] = {"deployed_by": "manual"}
    edit_yaml(config_copy, "environments/staging.yaml", manual)
    problem = problem_at(config_problems(config_copy), "delivery.deployed_by")
    assert "deploy-staging.yml" in problem.summary


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_shipped_ci_environments_use_azurerm_with_one_state_key_per_stack(example, env):
    backend = example.stacks[env]["terraform"]["backend"]
    assert list(backend) == ["azurerm"]
    azurerm = backend["azurerm"]
    assert azurerm["key"] == f"mlops/{env}.tfstate" and azurerm["container_name"] == env
    assert azurerm["use_azuread_auth"] is True  # OIDC / Entra ID: no storage account key
    assert example.stacks["dev"]["terraform"]["backend"] == {"local": {"path": "terraform.dev.tfstate"}}


@pytest.mark.terraform
@pytest.mark.parametrize("env", ["staging", "prod"])
def test_remote_backends_plan_offline_without_credentials(example, offline_terraform, monkeypatch, env):
    from mlops_tools.offline.harness import verify_stack

    for var in [v for v in os.environ if v.startswith(("ARM_", "AZURE_", "DATABRICKS_", "TF_TOKEN"))]:
        monkeypatch.delenv(var)
    result = verify_stack(example.stack_dir(env), workdir=None)
    assert result.ok, result.failure_text()
    assert result.counts()["add"] > 0 and result.counts()["destroy"] == 0
    # the stack directory itself is untouched: it still names the remote backend
    doc = json.loads((example.stack_dir(env) / "cdk.tf.json").read_text())
    assert "azurerm" in doc["terraform"]["backend"]

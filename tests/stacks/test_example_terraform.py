"""Every stack the shipped example synthesizes passes real `terraform init`,
`validate` and `plan` against the offline provider (no workspace, no network)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import ROOT, Synthesized
from mlops_tools.offline.harness import VerifyResult, verify_stack

pytestmark = pytest.mark.terraform


@pytest.fixture(scope="module")
def verdicts(example: Synthesized, terraform: str) -> dict[str, VerifyResult]:
    return {name: verify_stack(example.stack_dir(name)) for name in sorted(example.stacks)}


def test_every_stack_validates_and_plans(example: Synthesized, verdicts: dict[str, VerifyResult]) -> None:
    assert set(verdicts) == set(example.stacks)
    for name, result in verdicts.items():
        assert result.ok, f"{name}:\n{result.failure_text()}"


def test_plan_creates_every_synthesized_resource(example: Synthesized,
                                                 verdicts: dict[str, VerifyResult]) -> None:
    for name, result in verdicts.items():
        expected = {f"{rtype}.{address}"
                    for rtype, resources in example.stacks[name].get("resource", {}).items()
                    for address in resources}
        assert set(result.actions()) == expected, name
        assert all(actions == ["create"] for actions in result.actions().values()), name


def test_plan_command_prints_terraform_plan_offline(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--env", "dev",
                             "--outdir", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Terraform will perform the following actions" in result.stdout
    assert "=== dev ===" in result.stdout
    assert "=== prod ===" not in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("dev: ")


def test_plan_command_rejects_unknown_environment(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--env", "qa",
                             "--outdir", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 2
    assert "unknown environment or stack: qa" in result.stderr
    assert not (tmp_path / "out").exists()

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


def test_plan_command_prints_summary_first_and_plans_offline(tmp_path) -> None:
    """Summary table first on stdout, progress on stderr, full plans in files (and with --verbose)."""
    outdir = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--env", "dev", "--verbose",
                             "--outdir", str(outdir)], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["stack", "result", "add", "change", "destroy", "time", "plan"]
    row = lines[2].split()
    assert row[:2] == ["dev", "ok"] and int(row[2]) > 0 and row[-1].endswith("plans/dev.txt")
    assert lines[3] == "1 stack(s): 1 planned, 0 failed"
    assert "Terraform will perform the following actions" in result.stdout  # --verbose
    assert result.stdout.index("=== dev ===") > result.stdout.index("1 stack(s)")
    assert "=== prod ===" not in result.stdout
    assert "Terraform will perform the following actions" in (outdir / "plans" / "dev.txt").read_text()
    assert "[1/1] dev: plan…" in result.stderr and "[1/1] dev: ok in " in result.stderr
    assert "\033[" not in result.stdout + result.stderr  # not a terminal: no colour

    quiet = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--stack", "dev",
                            "--outdir", str(outdir)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "Terraform will perform" not in quiet.stdout and len(quiet.stdout.splitlines()) == 4


def test_plan_command_rejects_unknown_environment(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--env", "qa",
                             "--outdir", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 2
    assert "unknown environment or stack: qa" in result.stderr
    assert not (tmp_path / "out").exists()

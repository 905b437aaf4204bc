"""cdktf.out is byte-identical across synths (manifest.json and stacks.json included), so the
VCS-driven recipe of docs/delivery.md, ``python -m mlops_tools synth && git diff --exit-code
cdktf.out``, passes when nothing changed and fails when the config changed.

Each synth runs in its own process: jsii's temp folder differs per process, which is what
used to leak into manifest.json through annotation stack traces.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def synth(cwd: Path, outdir: str = "cdktf.out") -> None:
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "synth", "--config", "config",
                             "--outdir", outdir], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def files(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE_CONFIG, tmp_path / "config")
    return tmp_path


def test_two_synths_are_byte_identical_and_carry_no_temp_paths(project: Path) -> None:
    synth(project, "out1")
    synth(project, "out2")
    first, second = files(project / "out1"), files(project / "out2")
    assert {"manifest.json", "stacks.json", "stacks/dev/cdk.tf.json"} <= set(first)
    assert first == second
    manifest = (project / "out1" / "manifest.json").read_text()
    assert "stacktrace" not in manifest and "/tmp" not in manifest and "jsii-kernel" not in manifest
    annotations = [a for s in json.loads(manifest)["stacks"].values() for a in s["annotations"]]
    assert annotations, "the example's notices are still recorded (cdktf-cli prints them)"
    for data in first.values():
        assert str(project).encode() not in data


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_diff_exit_code_recipe(project: Path) -> None:
    synth(project)
    assert git(project, "init", "-q").returncode == 0
    assert git(project, "add", "-A").returncode == 0
    assert git(project, "commit", "-qm", "synthesized").returncode == 0

    synth(project)  # the recipe: synth && git diff --exit-code cdktf.out
    diff = git(project, "diff", "--exit-code", "cdktf.out")
    assert diff.returncode == 0, diff.stdout[-3000:]
    assert git(project, "status", "--porcelain", "cdktf.out").stdout == ""

    churn = project / "config" / "projects" / "churn.yaml"
    churn.write_text(churn.read_text().replace("cost_center: CC-4711", "cost_center: CC-4712"))
    synth(project)
    assert git(project, "diff", "--exit-code", "--quiet", "cdktf.out").returncode == 1

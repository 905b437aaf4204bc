"""Test helpers shared by every test module (import with `from support import ...`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config"


@dataclass(frozen=True)
class Synthesized:
    """A synthesized app: its outdir and each stack's parsed cdk.tf.json."""

    outdir: Path
    stacks: dict[str, dict]

    def stack_dir(self, name: str) -> Path:
        return self.outdir / "stacks" / name

    def resources(self, stack: str, rtype: str) -> dict[str, dict]:
        return self.stacks[stack].get("resource", {}).get(rtype, {})


def read_outdir(outdir: Path) -> Synthesized:
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: json.loads((outdir / s["synthesizedStackPath"]).read_text())
              for name, s in manifest["stacks"].items()}
    return Synthesized(outdir, stacks)


def synth_config(config_dir: Path, outdir: Path) -> Synthesized:
    """Synthesize a config directory in-process (jsii is started once per process)."""
    from mlops_tools.synth import synth

    synth(config_dir, outdir)
    return read_outdir(outdir)


def terraform_or_skip() -> str:
    """Terraform path; missing terraform fails in CI (CI=true) and skips locally."""
    from mlops_tools.offline.harness import TerraformNotFound, terraform_binary

    try:
        return terraform_binary()
    except TerraformNotFound as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))

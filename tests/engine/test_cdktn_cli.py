"""The CDK Terrain CLI (`cdktn synth`, from engines/cdktn/package-lock.json) runs the app on
the cdktn engine with the Node.js 22 that .venv-cdktn brings (cdktn-cli needs >= 22.19).

Runs where the cdktn engine is installed (`make install ENGINE=cdktn`); in CI a missing
install fails when the suite runs on cdktn, and skips in the default-engine run.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mlops_engine import ENGINE, ENGINES
from support import ROOT

CLI = ROOT / "engines" / "cdktn" / "node_modules" / ".bin" / "cdktn"
VENV = ROOT / ".venv-cdktn"
NODE = VENV / "node-bin" / "node"


@pytest.fixture(scope="module")
def installed() -> None:
    missing = [str(p.relative_to(ROOT)) for p in (CLI, VENV / "bin" / "python", NODE) if not p.exists()]
    if missing:
        message = f"cdktn engine not installed ({', '.join(missing)} missing): run `make install ENGINE=cdktn`"
        if ENGINE.name == "cdktn" and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)


def test_node_from_the_lock_file_is_22_lts(installed) -> None:
    version = subprocess.run([str(NODE), "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(x) for x in version.strip().lstrip("v").split(".")[:2])
    assert (major, minor) >= (22, 19), version


def test_cdktn_synth(installed, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "MLOPS_ENGINE": "cdktn",
           "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(CLI), "synth", "--output", str(out), "--app", f"{VENV}/bin/python main.py"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "end-of-life" not in (result.stdout + result.stderr).lower()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"dev", "staging", "prod"} <= set(manifest["stacks"])
    dev = json.loads((out / manifest["stacks"]["dev"]["synthesizedStackPath"]).read_text())
    assert dev["terraform"]["required_providers"]["databricks"]["version"] == ENGINES["cdktn"].provider_version
    assert dev["//"]["metadata"]["version"] == "0.24.0"  # cdktn, as pinned in engines/cdktn/Pipfile.lock

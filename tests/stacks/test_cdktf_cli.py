"""`npx cdktf synth` runs the app from cdktf.json with the project's virtualenv (no pipenv
or other global tool needed at run time)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support import ROOT


def test_cdktf_json_runs_main_in_the_project_venv() -> None:
    config = json.loads((ROOT / "cdktf.json").read_text())
    assert config["language"] == "python"
    assert config["app"] == ".venv/bin/python main.py"


def test_npx_cdktf_synth(tmp_path: Path) -> None:
    cli = ROOT / "node_modules" / ".bin" / "cdktf"
    if not cli.exists() or not (ROOT / ".venv" / "bin" / "python").exists():
        if os.environ.get("CI"):
            pytest.fail("cdktf-cli or .venv missing: run `make install` (npm ci, pipenv sync)")
        pytest.skip("cdktf-cli not installed (run `make install`)")
    out = tmp_path / "out"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "MLOPS_ENGINE": "cdktf"}  # the .venv engine
    result = subprocess.run([str(cli), "synth", "--output", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "end-of-life" not in (result.stdout + result.stderr).lower()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"dev", "staging", "prod"} <= set(manifest["stacks"])

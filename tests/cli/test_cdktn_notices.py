"""Under `cdktn synth` (CDK Terrain's CLI, the second engine) each notice shows once, as the
CLI's INFO line, never as a red [ERROR] line: cdktn-cli, like cdktf-cli, prints every annotation
of manifest.json itself, shows the app's stderr as [ERROR] lines, and tells the app it runs it
with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS (main.py then prints no notices)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from mlops_engine import ENGINES
from support import ROOT, assert_notices_shown_once_as_info

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLI = ROOT / "engines" / "cdktn" / "node_modules" / ".bin" / "cdktn"
PYTHON = ROOT / ".venv-cdktn" / "bin" / "python"
NODE_BIN = ROOT / ".venv-cdktn" / "node-bin"


def test_cdktn_synth_shows_each_notice_once_and_not_as_error(tmp_path: Path) -> None:
    if not (CLI.exists() and PYTHON.exists() and (NODE_BIN / "node").exists()):
        if os.environ.get("MLOPS_ENGINE") == "cdktn":
            pytest.fail("cdktn-cli or .venv-cdktn missing: run `make install ENGINE=cdktn`")
        pytest.skip("the CDK Terrain engine is not installed (make install ENGINE=cdktn)")
    out = tmp_path / "out"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "MLOPS_ENGINE": "cdktn",
           "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # cdktn-cli needs Node >= 22.19
    result = subprocess.run([str(CLI), "synth", "--app", f"{PYTHON} main.py", "--output", str(out)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=900)
    text = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, text[-3000:]
    assert_notices_shown_once_as_info(out, text, ("notice", "monitor", "paused"))
    assert "notice: [" not in text  # main.py's own rendering: not printed under the CLI
    assert (out / "stacks.json").is_file()
    stack = json.loads((out / "stacks" / "dev" / "cdk.tf.json").read_text())
    assert stack["terraform"]["required_providers"]["databricks"]["version"] == ENGINES["cdktn"].provider_version

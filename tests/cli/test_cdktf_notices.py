"""Under `npx cdktf synth` each notice shows once, as cdktf-cli's INFO line, never as [ERROR].

cdktf-cli prints every annotation of manifest.json itself and shows anything the app writes
on stderr as red `[ERROR]` lines; main.py therefore prints no notices when cdktf-cli runs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT, assert_notices_shown_once_as_info

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_npx_cdktf_synth_shows_each_notice_once_and_not_as_error(tmp_path: Path) -> None:
    cli = ROOT / "node_modules" / ".bin" / "cdktf"
    if not cli.exists() or shutil.which("pipenv") is None:
        if os.environ.get("CI"):
            pytest.fail("cdktf-cli or pipenv missing: run `make install` (npm ci, pipenv)")
        pytest.skip("cdktf-cli not installed (run `make install`)")
    out = tmp_path / "out"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1", "MLOPS_ENGINE": "cdktf"}  # the .venv engine
    result = subprocess.run([str(cli), "synth", "--output", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    text = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, text[-3000:]
    assert_notices_shown_once_as_info(out, text)
    assert (out / "stacks.json").is_file()


def test_main_prints_notices_when_run_directly(tmp_path: Path) -> None:
    import sys

    env = {k: v for k, v in os.environ.items() if k != "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"}
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--outdir", str(tmp_path / "out")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "notice: [dev] monitor on" in result.stderr
    under_cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "--outdir", str(tmp_path / "out2")],
                               cwd=ROOT, env={**env, "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS": "true"},
                               capture_output=True, text=True, timeout=300)
    assert under_cli.returncode == 0, under_cli.stderr
    assert "notice:" not in under_cli.stderr and "monitor on" not in under_cli.stderr
    assert under_cli.stdout.splitlines()[0].split() == ["stack", "resources", "output"]

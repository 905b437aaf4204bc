"""Both engines synthesize the shipped example to the same Terraform JSON, up to the
engine's version and the provider version it pins.

One engine per process (each has its own virtualenv and jsii kernel): the example is
synthesized by ``main.py`` in a subprocess per engine, with that engine's interpreter.
The test needs both virtualenvs; ``make test ENGINE=cdktn`` installs both, so in CI
(CI=true) a missing one fails, locally it skips.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mlops_engine import ENGINE_VARIABLE, ENGINES
from support import ROOT, engine_neutral, read_outdir

#: The virtualenv `make install [ENGINE=...]` puts each engine in (see the Makefile).
VENVS = {"cdktf": ROOT / ".venv", "cdktn": ROOT / ".venv-cdktn"}


def _interpreter(engine: str) -> Path:
    python = VENVS[engine] / "bin" / "python"
    if not python.exists():
        message = f"{engine} engine not installed ({python} missing): run `make install ENGINE={engine}`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return python


def _synth(engine: str, outdir: Path) -> dict[str, dict]:
    env = {**os.environ, ENGINE_VARIABLE: engine}
    result = subprocess.run([str(_interpreter(engine)), "main.py", "--outdir", str(outdir), "--quiet"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return read_outdir(outdir).stacks


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict[str, dict]]:
    if not all((venv / "bin" / "python").exists() for venv in VENVS.values()) \
            and os.environ.get(ENGINE_VARIABLE, "cdktf") == "cdktf":
        pytest.skip("the equivalence test runs where both engines are installed "
                    "(`make test ENGINE=cdktn` installs both)")
    return {engine: _synth(engine, tmp_path_factory.mktemp(engine) / "cdktf.out") for engine in VENVS}


def test_both_engines_synthesize_the_same_stacks(synthesized) -> None:
    assert sorted(synthesized["cdktf"]) == sorted(synthesized["cdktn"])
    assert {"dev", "staging", "prod"} <= set(synthesized["cdktf"])


def test_both_engines_emit_equal_json_up_to_version_strings(synthesized) -> None:
    for stack in sorted(synthesized["cdktf"]):
        cdktf_doc, cdktn_doc = synthesized["cdktf"][stack], synthesized["cdktn"][stack]
        assert cdktf_doc["resource"], stack
        assert engine_neutral(cdktf_doc, ENGINES["cdktf"]) == engine_neutral(cdktn_doc, ENGINES["cdktn"]), stack


def test_only_the_version_strings_differ(synthesized) -> None:
    """The normalization hides exactly two strings, and they do differ between the engines."""
    dev = {engine: stacks["dev"] for engine, stacks in synthesized.items()}
    pins = {e: d["terraform"]["required_providers"]["databricks"]["version"] for e, d in dev.items()}
    assert pins == {"cdktf": "1.99.0", "cdktn": "1.138.0"}
    versions = {e: d["//"]["metadata"]["version"] for e, d in dev.items()}
    assert versions == {"cdktf": "0.21.0", "cdktn": "0.24.0"}

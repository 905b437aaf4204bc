"""`mlops` is a console script (pyproject.toml) and `mlops --version` names product, engine, provider."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import import_module, metadata
from pathlib import Path

import pytest

from support import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


def test_pyproject_declares_the_mlops_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    target = project["scripts"]["mlops"]
    module, _, attr = target.partition(":")
    assert callable(getattr(import_module(module), attr))
    assert project["dependencies"] == []  # Pipfile.lock pins them; `pip install --no-deps -e .` adds the script


def test_makefile_installs_the_project_after_pipenv_sync() -> None:
    recipe = (ROOT / "Makefile").read_text()
    sync = recipe.index("pipenv sync")
    install = recipe.index("pip install --quiet --no-deps -e .")
    assert sync < install


def test_version_names_product_engine_and_provider() -> None:
    from mlops_engine import ENGINE

    result = subprocess.run([sys.executable, "-m", "mlops_tools", "--version"], cwd=ROOT, env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert lines[0] == f"mlops {version} (databricks-mlops-platform)"
    core = metadata.version(ENGINE.core_package)
    bindings = next(d for d in metadata.packages_distributions()[ENGINE.provider_package])
    assert lines[1] == (f"engine: {ENGINE.name} {core} (bindings {bindings} {metadata.version(bindings)})")
    assert lines[2].startswith("provider: registry.terraform.io/databricks/databricks ")
    assert lines[2].split()[-1][0].isdigit()


def test_console_script_in_a_throwaway_venv(tmp_path: Path) -> None:
    """Install the project (--no-deps, editable) into a fresh venv; its bin/mlops runs this code."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", "--no-deps", "-e", str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    if pip.returncode != 0:
        message = f"cannot build the project (setuptools from the index): {pip.stderr[-1500:]}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    script = venv / "bin" / "mlops"
    assert script.is_file()
    site = next(Path(p) for p in sys.path if p.endswith("site-packages"))  # the project's dependencies
    env = {k: v for k, v in ENV.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    result = subprocess.run([str(script), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: mlops ")
    assert "change-review" in result.stdout


def test_unknown_engine_is_exit_2_for_version_and_synth(tmp_path: Path) -> None:
    env = {**ENV, "MLOPS_ENGINE": "bogus"}
    for args in (["--version"], ["synth", "--outdir", str(tmp_path / "out")]):
        result = subprocess.run([sys.executable, "-m", "mlops_tools", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "error: $MLOPS_ENGINE unknown engine 'bogus'" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

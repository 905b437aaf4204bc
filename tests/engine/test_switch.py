"""One switch selects the engine (make ENGINE= / MLOPS_ENGINE), read in mlops_engine only;
bad values are a clear message and exit 2; the supported Python range is declared once
per file and agrees everywhere."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

import mlops_engine
from mlops_engine import ENGINES, UnknownEngine, selected_engine
from support import ROOT

PRODUCT_PACKAGES = ("databricks_spec", "platform_config", "stacks", "mlops_constructs", "mlops_tools")
ENGINE_MODULES = {e.core_package for e in ENGINES.values()} | {e.provider_package for e in ENGINES.values()}


def test_unknown_engine_is_refused_by_make_with_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(["make", "-s", "install", "ENGINE=terraform-cdk"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "unknown ENGINE 'terraform-cdk': use ENGINE=cdktf (the default) or ENGINE=cdktn" in result.stderr


def test_unknown_engine_is_refused_by_the_app_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "MLOPS_ENGINE": "cdk-terrain"}
    result = subprocess.run([sys.executable, "main.py", "--outdir", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "unknown engine 'cdk-terrain' (known: cdktf, cdktn)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_selected_engine_reads_mlops_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLOPS_ENGINE", raising=False)
    assert selected_engine().name == "cdktf"
    monkeypatch.setenv("MLOPS_ENGINE", "cdktn")
    assert selected_engine() is ENGINES["cdktn"]
    monkeypatch.setenv("MLOPS_ENGINE", "x" * 500)
    with pytest.raises(UnknownEngine) as info:
        selected_engine()
    assert len(str(info.value)) < 200


def test_selecting_the_engine_starts_no_jsii() -> None:
    code = "import sys, mlops_engine; print(mlops_engine.ENGINE.name, 'jsii' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == [mlops_engine.ENGINE.name, "False"]


def test_only_mlops_engine_imports_an_engine() -> None:
    offenders = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ENGINE_MODULES]
    assert not offenders


# ------------------------------------------------------------------ Python 3.11 to 3.13

def _makefile_check() -> str:
    match = re.search(r"^PYTHON_CHECK := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match
    return match.group(1)


@pytest.mark.parametrize("version, accepted", [((3, 10, 14), False), ((3, 11, 0), True), ((3, 12, 1), True),
                                               ((3, 13, 9), True), ((3, 14, 0), False)])
def test_makefile_accepts_exactly_python_3_11_to_3_13(version: tuple, accepted: bool) -> None:
    patch = f"import sys; sys.version_info = {version + ('final', 0)!r}; "
    result = subprocess.run([sys.executable, "-c", patch + _makefile_check()], capture_output=True, text=True)
    assert (result.returncode == 0) == accepted, result.stderr
    if not accepted:
        assert f"is Python {version[0]}.{version[1]}; this project needs Python 3.11 to 3.13" in result.stderr
        assert "PYTHON=/path/to/python3.X" in result.stderr


@pytest.mark.parametrize("pipfile", ["Pipfile", "engines/cdktn/Pipfile"])
def test_pipfiles_accept_the_same_range(pipfile: str) -> None:
    spec = SpecifierSet(tomllib.loads((ROOT / pipfile).read_text())["requires"]["python_version"])
    assert [v for v in ("3.10.14", "3.11.0", "3.12.1", "3.13.9", "3.14.0") if v in spec] == ["3.11.0", "3.12.1", "3.13.9"]


def test_readme_prerequisites_name_the_same_range_and_node_22() -> None:
    readme = (ROOT / "README.md").read_text()
    prerequisites = readme[readme.index("## Prerequisites"):readme.index("## Two commands")]
    assert "Python 3.11, 3.12 or 3.13" in prerequisites
    assert "Node.js 22 LTS" in prerequisites
    assert "with pip" not in prerequisites  # no global pip or pipenv: make creates the venvs

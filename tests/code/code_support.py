"""A small project with its own code folder, next to the shipped example, for the code-source tests
(import with ``from code_support import ...``)."""

from __future__ import annotations

import shutil
import textwrap
import zipfile
from pathlib import Path

from support import EXAMPLE_CONFIG

SP = "33333333-3333-3333-3333-333333333333"

PROJECT = f"""\
name: cs
owner: cs@example.com
roles:
  one_sp:
    service_principals: [{SP}]
volumes:
  artifacts:
    schema: models
code:
  source: workspace
jobs:
  run_as: one_sp
  training:
    tasks:
      train: {{notebook: training/Train}}
      validate: {{notebook: training/Validate}}
      deploy: {{python_script: deploy/deploy.py}}
"""

NOTEBOOK = "# Databricks notebook source\nprint('{name}')\n"

FILES = {
    "training/Train.py": NOTEBOOK.format(name="train"),
    "training/Validate.py": NOTEBOOK.format(name="validate"),
    "deploy/deploy.py": "print('deploy')\n",
    "common/features.py": "def f(x):\n    return x + 1\n",
    "queries/report.sql": "-- Databricks notebook source\nSELECT 1\n",
}


def write_repo(root: Path, project: str = PROJECT, files: dict[str, str | bytes] | None = None) -> Path:
    """root/config (the shipped config plus project cs) and root/projects/cs (its code); returns root/config."""
    config = root / "config"
    if not config.exists():
        shutil.copytree(EXAMPLE_CONFIG, config)
    (config / "projects" / "cs.yaml").write_text(textwrap.dedent(project))
    code = root / "projects" / "cs"
    for relative, text in (FILES if files is None else files).items():
        path = code / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return config


def write_wheel(dist: Path, name: str = "cs_model", version: str = "0.1.0") -> Path:
    """A minimal valid wheel (zip with METADATA, WHEEL and RECORD), as `python -m build` writes one."""
    dist.mkdir(parents=True, exist_ok=True)
    path = dist / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "def main():\n    print('scored')\n")
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/entry_points.txt", f"[console_scripts]\nscore = {name}:main\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path

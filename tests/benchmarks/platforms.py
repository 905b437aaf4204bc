"""Generated platforms for the benchmarks: the shipped example scaled to N projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from support import EXAMPLE_CONFIG

ENVIRONMENTS = ("dev", "staging", "prod")


def scaled_config(dest: Path, projects: int, *, environments: tuple[str, ...] = ("dev",),
                  layout: str = "per-project") -> Path:
    """Write a config directory with ``projects`` copies of the example's churn project
    (named p00, p01, ...) in ``environments``, each environment using ``layout``; returns it."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(EXAMPLE_CONFIG, dest)
    for env in ENVIRONMENTS:
        path = dest / "environments" / f"{env}.yaml"
        if env not in environments:
            path.unlink()
        elif layout != "per-environment":
            path.write_text(path.read_text() + f"\nstacks:\n  layout: {layout}\n")
    churn = dest / "projects" / "churn.yaml"
    project = yaml.safe_load(churn.read_text())
    project["environments"] = {k: v for k, v in project.get("environments", {}).items() if k in environments}
    template = yaml.safe_dump(project, sort_keys=False)
    churn.unlink()
    for i in range(projects):
        (dest / "projects" / f"p{i:02d}.yaml").write_text(template.replace("churn", f"p{i:02d}"))
    return dest

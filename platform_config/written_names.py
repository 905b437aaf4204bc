"""Names as config writes them, checked where they are written (issue 11 item 4): principal
names and the environment's catalog name.

Names the platform *derives* (endpoints, jobs, schemas, the registered model, volumes, the
experiment path, monitor folders) are checked by the resolution layer, which owns their
formulas (resolution.checks, through resolution.names); ``load_platform`` runs that check
with its own, so every problem is reported at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from databricks_spec.names import name_problem
from platform_config.errors import Problem, key_path

if TYPE_CHECKING:
    from platform_config.yaml_source import SourceMap


def principal_problems(roles: dict, prefix: tuple, smap: "SourceMap", display: str) -> list[Problem]:
    """Empty principal names in ``roles`` (role -> PrincipalsConfig) written under ``prefix``: a
    grant to '' fails at apply."""
    problems = []
    for role, principals in roles.items():
        for kind in ("groups", "users", "service_principals"):
            for i, name in enumerate(getattr(principals, kind)):
                if not name.strip():
                    path = prefix + (role, kind, i)
                    file, line = smap.locate(path, display)
                    problems.append(Problem(file, line, key_path(path), "principal name is empty"))
    return problems


def catalog_problems(env, smap: "SourceMap", display: str) -> list[Problem]:
    """The environment's catalog name against the Unity Catalog rules."""
    findings = name_problem("schema", env.catalog.name)
    if not findings:
        return []
    file, line = smap.locate(("catalog", "name"), display)
    return [Problem(file, line, "catalog.name", f"catalog name '{env.catalog.name}': {f}") for f in findings]

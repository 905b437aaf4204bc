"""Derived Databricks names, checked where they are written (issue 11 item 4).

``derived_names`` computes every Databricks name a project gets in one environment
(endpoints, jobs, schemas, the registered model, volumes, the experiment path, monitor folders)
with the formulas the stacks use today (stacks/project.py ``model_name``/``experiment_path``/
``model_schema``, stacks/serving.py ``endpoint_name`` and the monitor assets folder,
stacks/jobs.py ``job_name``, stacks/governance.py volume names). It is the one function to point at the resolution layer once
that owns the derivation. ``name_problems`` checks each name against
databricks_spec.names and every pair of projects for names that are the same object after
normalization, reporting the config location each name comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from databricks_spec.names import name_problem, normalized
from platform_config.base import snake
from platform_config.errors import Problem, key_path
from platform_config.governance import project_schema_name

if TYPE_CHECKING:
    from platform_config.loader import ProjectTarget
    from platform_config.yaml_source import SourceMap


@dataclass(frozen=True)
class DerivedName:
    kind: str
    """A key of databricks_spec.names.RULES."""
    name: str
    path: tuple
    """The config key the name comes from: the explicit setting, else the project's name."""


def derived_names(target: "ProjectTarget") -> list[DerivedName]:
    """Every Databricks name ``target`` gets (same formulas as the stacks; see module docstring)."""
    project, env = target.project, target.env
    own = ("name",)
    out: list[DerivedName] = []
    for key, schema in project.schemas.items():
        out.append(DerivedName("schema", project_schema_name(project, key),
                               ("schemas", key, "name") if schema.name else own))
    schema_key = project.model.schema_name or "models"
    model_schema = project_schema_name(project, schema_key) if schema_key in project.schemas else schema_key
    model = project.model.name or f"{snake(project.name)}_model"
    out.append(DerivedName("registered model", f"{model_schema}.{model}",
                           ("model", "name") if project.model.name else own))
    for key, volume in project.volumes.items():  # stacks/governance.py: name or the key, '-' -> '_'
        schema = project_schema_name(project, volume.schema_key) if volume.schema_key in project.schemas \
            else volume.schema_key
        out.append(DerivedName("volume", f"{schema}.{volume.name or key.replace('-', '_')}",
                               ("volumes", key, "name") if volume.name else ("volumes", key)))
    out.append(DerivedName("experiment", project.experiment.path or
                           f"/Shared/mlops/{env.object_name(project.name)}/{project.name}-experiment",
                           ("experiment", "path") if project.experiment.path else own))
    for key, endpoint in project.serving.endpoints.items():
        if not endpoint.enabled:
            continue
        base = endpoint.name or (key if key == project.name else f"{project.name}-{key}")
        out.append(DerivedName("serving endpoint", env.object_name(base),
                               ("serving", "endpoints", key, "name") if endpoint.name else own))
    for kind, job in project.jobs.enabled_jobs():
        base = job.name or f"{project.name}-{kind.replace('_', '-')}-job"
        out.append(DerivedName("job", env.object_name(base), ("jobs", kind, "name") if job.name else own))
    for key, monitor in project.monitors.items():
        out.append(DerivedName("monitor assets folder", monitor.assets_dir or
                               f"/Shared/mlops/{env.object_name(project.name)}/monitors/{key}",
                               ("monitors", key, "assets_dir") if monitor.assets_dir else ("monitors", key)))
    return out


def _uc_part_problems(item: DerivedName) -> str | None:
    if item.kind in ("registered model", "volume"):  # schema.object: each part is a UC name
        return next((p for p in map(lambda part: name_problem(item.kind, part), item.name.split(".")) if p), None)
    return name_problem(item.kind, item.name)


def name_problems(env_name: str, located: Iterable[tuple["ProjectTarget", "SourceMap", str]]) -> list[Problem]:
    """Rule violations and cross-project collisions of derived names in one environment."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], tuple[str, str, int, str]] = {}
    for target, smap, display in located:
        project = target.project.name
        for item in derived_names(target):
            file, line = smap.locate(item.path, display)
            problem = _uc_part_problems(item)
            if problem:
                problems.append(Problem(file, line, key_path(item.path),
                                        f"{item.kind} name '{item.name}' in environment '{env_name}': {problem}"))
                continue
            key = (item.kind, normalized(item.kind, item.name))
            first = seen.get(key)
            if first is None:
                seen[key] = (project, file, line, item.name)
            elif first[0] != project:
                other, other_file, other_line, other_name = first
                problems.append(Problem(file, line, key_path(item.path),
                                        f"{item.kind} '{item.name}' of project '{project}' is the same Databricks "
                                        f"object as '{other_name}' of project '{other}' ({other_file}:{other_line}) "
                                        f"in environment '{env_name}'; rename one of the projects or set a name"))
    return problems


def principal_problems(roles: dict, prefix: tuple, smap: "SourceMap", display: str) -> list[Problem]:
    """Empty principal names in ``roles`` (role -> Principals) written under ``prefix``: a
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
    problem = name_problem("schema", env.catalog.name)
    if problem is None:
        return []
    file, line = smap.locate(("catalog", "name"), display)
    return [Problem(file, line, "catalog.name", f"catalog name '{env.catalog.name}': {problem}")]

"""Load config/ into validated, per-environment resolved models.

All problems in all files are collected and raised together as one
``ConfigError`` (exit code 2), each naming file, line and key path.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from platform_config.environment import EnvironmentConfig, Principals
from platform_config.errors import ConfigError, Problem, key_path
from platform_config.jobs import jobs_problems
from platform_config.observability import project_observability_problems
from platform_config.project import ProjectConfig
from platform_config.references import role_references
from platform_config.secrets import find_secret_like, scan_for_secrets
from platform_config.yaml_source import SourceMap, load_yaml

ENVIRONMENTS_DIR = "environments"
PROJECTS_DIR = "projects"


@dataclass(frozen=True)
class ProjectTarget:
    """A project resolved for one environment: what the stacks compose from."""

    env: EnvironmentConfig
    project: ProjectConfig
    roles: dict[str, Principals]
    """The environment's roles overlaid with the project's own."""
    iac_commit: str | None = None
    """Git commit of this IaC repository, from MLOPS_IAC_COMMIT (opt-in; see docs/jobs.md)."""


@dataclass(frozen=True)
class Platform:
    """Everything config/ describes, validated."""

    environments: dict[str, EnvironmentConfig]
    targets: dict[str, list[ProjectTarget]] = field(default_factory=dict)
    """Environment name -> enabled projects, sorted by project name."""


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working directory when inside it."""
    rel = os.path.relpath(path.resolve(), Path.cwd())
    return str(path) if rel.startswith("..") else rel


#: Opt-in: the IaC repository's git commit, put into job tags (changes every job on every commit).
IAC_COMMIT_ENV = "MLOPS_IAC_COMMIT"


def iac_commit() -> str | None:
    """The IaC repo's commit from MLOPS_IAC_COMMIT, or None (the default keeps synth deterministic)."""
    value = os.environ.get(IAC_COMMIT_ENV, "").strip()
    return value or None


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _user_loc(loc: tuple, data: Any) -> tuple:
    """Drop the parts of a pydantic error location that are not in the user's data
    (union member tags such as 'cloud' in ('backend', 'cloud', 'organization'))."""
    out: list = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif i == len(loc) - 1 and isinstance(current, dict):
            pass  # a missing or unknown key: keep it, the user needs its name
        else:
            continue
        out.append(part)
    return tuple(out)


def _validation_problems(exc: ValidationError, smap: SourceMap, display: str,
                         model: type[BaseModel], data: Any) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = _user_loc(tuple(err["loc"]), data)
        message = err["msg"]
        if err["type"] == "value_error":  # our validators' messages, without pydantic's prefix
            message = message.removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            loc += (ctx.get("discriminator", "type").strip("'"),)
            message = f"unknown value {ctx.get('tag')!r} (allowed: {ctx.get('expected_tags')})"
        file, line = smap.locate(loc, display)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            message = "unknown key" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"] in ("literal_error", "enum") and not find_secret_like(str(err.get("input"))):
            message = f"{message}, got {err.get('input')!r}"
        problems.append(Problem(file, line, key_path(loc), message))
    return problems


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Best effort: the keys the model accepts at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        fields = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part not in fields:
            return []
        ann = fields[part].annotation
        while get_origin(ann) is not None:
            args = [a for a in get_args(ann) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                ann = models[0]
                break
            ann = args[-1] if args else None
        current = ann
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted((f.alias or n) for n, f in current.model_fields.items())
    return []


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else is replaced by the override."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def _load_mappings(folder: Path, kind: str, problems: list[Problem]) -> list[tuple[Path, dict, SourceMap, str]]:
    """Every YAML file in ``folder`` that parses to a mapping, scanned for literal secrets."""
    loaded = []
    for path in _yaml_files(folder):
        display = display_path(path)
        try:
            data, smap = load_yaml(path, display)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict):
            problems.append(Problem(display, 1, "", f"{kind} file must be a mapping of keys"))
            continue
        problems.extend(scan_for_secrets(data, smap, display))
        loaded.append((path, data, smap, display))
    return loaded


def _load_environments(folder: Path, problems: list[Problem]) -> dict[str, EnvironmentConfig]:
    environments = {}
    for path, data, smap, display in _load_mappings(folder, "an environment", problems):
        name = path.stem
        if "name" in data:
            file, line = smap.locate(("name",), display)
            problems.append(Problem(file, line, "name",
                                    f"the environment's name comes from the file name ('{name}'); remove this key"))
            continue
        data = {**data, "name": name}
        try:
            environments[name] = EnvironmentConfig.model_validate(data)
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, smap, display, EnvironmentConfig, data))
    return environments


def _load_projects(folder: Path, problems: list[Problem]) -> list[tuple[dict, SourceMap, str]]:
    loaded = []
    seen: dict[str, str] = {}
    for _, data, smap, display in _load_mappings(folder, "a project", problems):
        name = data.get("name")
        if isinstance(name, str) and name in seen:
            file, line = smap.locate(("name",), display)
            problems.append(Problem(file, line, "name",
                                    f"duplicate project '{name}', already defined in {seen[name]}"))
            continue
        if isinstance(name, str):
            seen[name] = display
        loaded.append((data, smap, display))
    return loaded


def _resolve(data: dict, smap: SourceMap, display: str, environments: dict[str, EnvironmentConfig],
             declared: set[str], commit: str | None, problems: list[Problem]) -> dict[str, ProjectTarget]:
    """Validate one project per environment. ``declared`` holds every environment file's
    name, valid or not, so an invalid environment file is not also an 'unknown environment'."""
    overrides = data.get("environments") or {}
    if not isinstance(overrides, dict):
        file, line = smap.locate(("environments",), display)
        problems.append(Problem(file, line, "environments", "must be a mapping of environment name -> overrides"))
        return {}
    for env_name in overrides:
        if env_name not in declared:
            file, line = smap.locate(("environments", env_name), display)
            known = ", ".join(sorted(declared)) or "none"
            problems.append(Problem(file, line, f"environments.{env_name}",
                                    f"unknown environment '{env_name}' (known: {known})"))
    base = {k: v for k, v in data.items() if k != "environments"}
    targets = {}
    for env_name, env in sorted(environments.items()):
        override = overrides.get(env_name) or {}
        merged_map = SourceMap({p: w for p, w in smap.entries.items() if not p or p[0] != "environments"})
        prefix = ("environments", env_name)
        for path, where in smap.entries.items():
            if path[:2] == prefix and len(path) > 2:
                merged_map.entries[path[2:]] = where
        if not isinstance(override, dict):
            file, line = smap.locate(prefix, display)
            problems.append(Problem(file, line, key_path(prefix), "must be a mapping of overrides"))
            continue
        merged = deep_merge(base, override)
        try:
            project = ProjectConfig.model_validate(merged, context={"env": env})  # env-dependent rules read it
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, merged_map, display, ProjectConfig, merged))
            continue
        roles = {**env.roles, **project.roles}
        for path, role in role_references(project):
            if role not in roles:
                file, line = merged_map.locate(path, display)
                known = ", ".join(sorted(roles)) or "none"
                problems.append(Problem(file, line, key_path(path),
                                        f"unknown role '{role}' in environment '{env_name}' (known: {known})"))
        for path, message in jobs_problems(project.jobs, env.cloud, env.compute.cluster_policies, roles,
                                           require_run_as=env.name if env.require_job_run_as else None):
            file, line = merged_map.locate(path, display)
            problems.append(Problem(file, line, key_path(path), message))
        for path, message in project_observability_problems(project, env):  # docs/observability.md
            file, line = merged_map.locate(path, display)
            problems.append(Problem(file, line, key_path(path), message))
        targets[env_name] = ProjectTarget(env=env, project=project, roles=dict(sorted(roles.items())),
                                          iac_commit=commit)
    return targets


def load_platform(config_dir: Path) -> Platform:
    """Load and validate config_dir; raise ConfigError listing every problem."""
    problems: list[Problem] = []
    config_dir = Path(config_dir)
    if not config_dir.is_dir():
        raise ConfigError([Problem(display_path(config_dir), 0, "", "config directory not found")])
    commit = iac_commit()
    if commit is not None and not re.fullmatch(r"[0-9a-fA-F]{7,40}", commit):
        problems.append(Problem(f"${IAC_COMMIT_ENV}", 0, "", f"must be a git commit SHA (7-40 hex digits), got {commit!r}"))
    environments = _load_environments(config_dir / ENVIRONMENTS_DIR, problems)
    if not environments and not problems:
        problems.append(Problem(display_path(config_dir / ENVIRONMENTS_DIR), 0, "",
                                "no environments defined: add one YAML file per environment"))
    per_env: dict[str, list[ProjectTarget]] = {name: [] for name in sorted(environments)}
    declared = {path.stem for path in _yaml_files(config_dir / ENVIRONMENTS_DIR)}
    for data, smap, display in _load_projects(config_dir / PROJECTS_DIR, problems):
        for env_name, target in _resolve(data, smap, display, environments, declared, commit, problems).items():
            if target.project.enabled:
                per_env[env_name].append(target)
    if problems:
        raise ConfigError(problems)
    for targets in per_env.values():
        targets.sort(key=lambda t: t.project.name)
    return Platform(environments=dict(sorted(environments.items())), targets=per_env)

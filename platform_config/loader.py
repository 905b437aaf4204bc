"""Load config/ into validated, per-environment resolved models.

All problems in all files are collected and raised together as one
``ConfigError`` (exit code 2), each naming file, line and key path.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pydantic import ValidationError

from databricks_spec.node_types import node_type_mismatch
from databricks_spec.ranges import int_range_problem
from databricks_spec.rules import findings_at
from databricks_spec.secrets import safe_message
from platform_config.written_names import catalog_problems, principal_problems
from platform_config.discovery import IGNORED_FILES, display_path, _yaml_files  # noqa: F401 (re-exported)
from platform_config.environment import EnvironmentConfig, PrincipalsConfig
from platform_config.errors import ConfigError, Problem, key_path
from platform_config.environment_rules import environment_findings
from platform_config.literals import escape_templates
from platform_config.pipeline_rules import pipeline_names
from platform_config.project import ProjectConfig
from platform_config.rule_adapter import locate
from platform_config.secrets import scan_source
from platform_config.validation_messages import _validation_problems
from platform_config.yaml_source import SourceMap, load_yaml

ENVIRONMENTS_DIR = "environments"
PROJECTS_DIR = "projects"


@dataclass(frozen=True)
class ConfigSource:
    """Where one project's config for one environment was written: the file as users see it
    and its key -> line map (the environment's overrides folded in). Other layers locate a
    config key through it (resolution.checks for derived names, the stacks for a construct
    refusal), so file names and lines stay the config layer's knowledge."""

    file: str
    map: SourceMap = field(repr=False)

    def locate(self, path: tuple) -> tuple[str, int]:
        """File and line of ``path``, else of its nearest written parent (line 0: unknown)."""
        return self.map.locate(tuple(path), self.file)

    def problem(self, path: tuple, summary: str, **fields: Any) -> Problem:
        """A Problem at config key ``path``."""
        file, line = self.locate(path)
        return Problem(file, line, key_path(tuple(path)), summary, **fields)


@dataclass(frozen=True)
class ProjectTarget:
    """A project resolved for one environment: what the stacks compose from."""

    env: EnvironmentConfig
    project: ProjectConfig
    roles: dict[str, PrincipalsConfig]
    """The environment's roles overlaid with the project's own."""
    iac_commit: str | None = None
    """Git commit of this IaC repository, from MLOPS_IAC_COMMIT (opt-in; see docs/jobs.md)."""
    source: ConfigSource | None = field(default=None, compare=False, repr=False)
    """Where the project was written (None for a target built in code, e.g. a test)."""


@dataclass(frozen=True)
class Platform:
    """Everything config/ describes, validated."""

    environments: dict[str, EnvironmentConfig]
    targets: dict[str, list[ProjectTarget]] = field(default_factory=dict)
    """Environment name -> enabled projects, sorted by project name."""
    warnings: list[Problem] = field(default_factory=list)
    """Things that are probably wrong but not refused (e.g. a node type of another cloud)."""
    sources: dict[str, ConfigSource] = field(default_factory=dict, compare=False, repr=False)
    """Environment name -> where its file was written (the stacks locate a refusal of an
    environment's shared units with it)."""


#: A check of the loaded platform that needs more than the config layer knows, run by
#: ``load_platform`` with every other check so all problems are reported at once. The one
#: in use: resolution.checks.name_problems (every derived Databricks name). Problems are
#: located through each target's ``source``.
PlatformCheck = Callable[[Platform], list[Problem]]


#: Opt-in: the IaC repository's git commit, put into job tags (changes every job on every commit).
IAC_COMMIT_ENV = "MLOPS_IAC_COMMIT"


def iac_commit() -> str | None:
    """The IaC repo's commit from MLOPS_IAC_COMMIT, or None (the default keeps synth deterministic)."""
    value = os.environ.get(IAC_COMMIT_ENV, "").strip()
    return value or None


def deep_merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else is replaced by the override."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def _load_mappings(files: list[Path], kind: str, problems: list[Problem],
                   refused: set[str]) -> list[tuple[Path, dict, SourceMap, str]]:
    """Every YAML file of ``files`` that parses to a mapping, scanned for literal secrets
    (added to ``refused``)."""
    loaded = []
    for path in files:
        display = display_path(path)
        try:
            data, smap = load_yaml(path, display)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict):
            problems.append(Problem(display, 1, "", f"{kind} file must be a mapping of keys"))
            continue
        problems.extend(scan_source(smap, display, refused))
        problems.extend(_int_range_problems(smap, display))
        loaded.append((path, data, smap, display))
    return loaded


def _node_type_warnings(project: ProjectConfig, env: EnvironmentConfig, smap: SourceMap,
                        display: str) -> list[Problem]:
    """Job cluster node types that look like another cloud's (databricks_spec.node_types)."""
    out = []
    for name, profile in project.jobs.compute.items():
        cluster = profile.cluster
        for attr in ("node_type", "driver_node_type"):
            value = getattr(cluster, attr, None) if cluster is not None else None
            pairs = value.items() if isinstance(value, dict) else [(None, value)] if value else []
            for cloud, node_type in pairs:
                message = node_type_mismatch(node_type, cloud or env.cloud)
                if message:
                    path = ("jobs", "compute", name, "cluster", attr) + ((cloud,) if cloud else ())
                    file, line = smap.locate(path, display)
                    out.append(Problem(file, line, key_path(path), f"{message} (environment '{env.name}')",
                                       severity="warning"))
    return out


def _int_range_problems(smap: SourceMap, display: str) -> list[Problem]:
    """32-bit API fields (databricks_spec.ranges), from the numbers the YAML walk recorded."""
    out = []
    for path, value, is_key in smap.strings:
        if is_key or type(value) is not int or not path:
            continue
        key = next((p for p in reversed(path) if isinstance(p, str)), None)
        findings = int_range_problem(key, value)
        if findings:
            out.extend(locate(findings_at(path, findings), smap, display))
    return out


def _split_environments(by_path: dict[tuple, Any]) -> tuple[dict[tuple, Any], dict[Any, list[tuple[tuple, Any]]]]:
    """A project's source-map table split once: the entries outside its ``environments`` block,
    and per environment name the entries of its overrides, re-keyed from the project's root
    (laid over the first, they are that environment's merged map)."""
    inside = [path for path in by_path if path and path[0] == "environments"]
    base = dict(by_path)
    per_env: dict[Any, list[tuple[tuple, Any]]] = {}
    for path in inside:
        del base[path]
        if len(path) > 2:
            per_env.setdefault(path[1], []).append((path[2:], by_path[path]))
    return base, per_env


def _load_environments(files: list[Path], problems: list[Problem], refused: set[str],
                       warnings: list[Problem] | None = None,
                       sources: dict[str, ConfigSource] | None = None) -> dict[str, EnvironmentConfig]:
    environments = {}
    for path, data, smap, display in _load_mappings(files, "an environment", problems, refused):
        name = path.stem
        if "name" in data:
            file, line = smap.locate(("name",), display)
            problems.append(Problem(file, line, "name",
                                    f"the environment's name comes from the file name ('{name}'); remove this key"))
            continue
        data = {**data, "name": name}
        try:
            environments[name] = env = EnvironmentConfig.model_validate(data)
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, smap, display, EnvironmentConfig, data))
            continue
        if sources is not None:
            sources[name] = ConfigSource(display, smap)
        problems.extend(principal_problems(env.roles, ("roles",), smap, display))
        problems.extend(catalog_problems(env, smap, display))
        message = node_type_mismatch(env.compute.node_type, env.cloud) if env.compute.node_type else None
        if message and warnings is not None:
            file, line = smap.locate(("compute", "node_type"), display)
            warnings.append(Problem(file, line, "compute.node_type", message, severity="warning"))
    return environments


def _load_projects(files: list[Path], problems: list[Problem], refused: set[str]) -> list[tuple[dict, SourceMap, str]]:
    loaded = []
    seen: dict[str, str] = {}
    for _, data, smap, display in _load_mappings(files, "a project", problems, refused):
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
             declared: set[str], commit: str | None, problems: list[Problem],
             literal_envs: dict[str, EnvironmentConfig] | None = None,
             warnings: list[Problem] | None = None,
             pipelines_seen: dict[tuple[str, str], str] | None = None) -> dict[str, ProjectTarget]:
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
    base_entries, env_entries = _split_environments(smap.entries)
    base_bools, env_bools = _split_environments(smap.bools)
    validated: list[tuple[dict, ProjectConfig]] = []  # (override, the model its merged document validates to)
    targets = {}
    for env_name, env in sorted(environments.items()):
        override = overrides.get(env_name) or {}
        merged_map = SourceMap(dict(base_entries))
        merged_map.entries.update(env_entries.get(env_name, ()))
        merged_map.bools = dict(base_bools)
        merged_map.bools.update(env_bools.get(env_name, ()))
        prefix = ("environments", env_name)
        if not isinstance(override, dict):
            file, line = smap.locate(prefix, display)
            problems.append(Problem(file, line, key_path(prefix), "must be a mapping of overrides"))
            continue
        # Environments with identical overrides validate one merged document once; identical
        # as written: repr tells 1, 1.0 and true apart, which equality does not.
        project = next((model for other, model in validated
                        if other == override and repr(other) == repr(override)), None)
        if project is None:
            merged = deep_merge(base, override)
            try:
                project = ProjectConfig.model_validate(merged)
            except ValidationError as exc:
                problems.extend(_validation_problems(exc, merged_map, display, ProjectConfig, merged))
                continue
            validated.append((override, project))
        roles = {**env.roles, **project.roles}
        problems.extend(principal_problems(project.roles, ("roles",), merged_map, display))
        if warnings is not None:
            warnings.extend(_node_type_warnings(project, env, merged_map, display))
        problems.extend(locate(environment_findings(project, env, roles), merged_map, display))
        for name, path in (pipeline_names(project, env) if project.enabled else {}).items():  # docs/pipelines.md
            other = (pipelines_seen if pipelines_seen is not None else {}).setdefault((env_name, name), project.name)
            if other != project.name:
                file, line = merged_map.locate(path, display)
                problems.append(Problem(file, line, key_path(path), f"pipeline name '{name}' in environment "
                                        f"'{env_name}' is also a pipeline of project '{other}'"))
        literal_env = (literal_envs or environments)[env_name]
        if smap.templates:  # every config string a literal from here on (keys hold none without this)
            project = escape_templates(project)
        roles = {**literal_env.roles, **project.roles}
        targets[env_name] = ProjectTarget(env=literal_env, project=project,
                                          roles=dict(sorted(roles.items())), iac_commit=commit,
                                          source=ConfigSource(display, merged_map))
    return targets


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while loading. Loading allocates about a
    hundred thousand containers (parsed data, source maps, models) that survive it and form
    no cycles, so the collector's repeated passes over them are pure overhead: about a third
    of the load time, more in a process with a large heap. Reference counting still frees
    everything, and the input is bounded by the loader's limits. On the way out, what
    survived is moved to the oldest generation without a pass over it (it is long-lived by
    now; a later full collection still examines it), unless the process froze objects of
    its own (``gc.freeze``), which this must not thaw."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def load_platform(config_dir: Path, checks: Iterable[PlatformCheck] = ()) -> Platform:
    """Load and validate config_dir; raise ConfigError listing every problem.

    ``checks`` run on the valid part of the platform, their problems reported together with
    the config layer's own (the pipeline passes resolution.checks.name_problems; see
    resolution.checks.load_checked)."""
    with _without_cycle_collection():
        return _load_platform(Path(config_dir), checks)


def _load_platform(config_dir: Path, checks: Iterable[PlatformCheck]) -> Platform:
    problems: list[Problem] = []
    try:
        found = config_dir.is_dir()
        if found:
            os.listdir(config_dir)
    except OSError as exc:
        raise ConfigError([Problem(display_path(config_dir), 0, "",
                                   f"cannot read config directory: {exc.strerror or exc}")]) from None
    if not found:
        why = "is a symlink loop" if config_dir.is_symlink() and not config_dir.exists() else "not found"
        raise ConfigError([Problem(display_path(config_dir), 0, "", f"config directory {why}")])
    commit = iac_commit()
    if commit is not None and not re.fullmatch(r"[0-9a-fA-F]{7,40}", commit):
        problems.append(Problem(f"${IAC_COMMIT_ENV}", 0, "", f"must be a git commit SHA (7-40 hex digits), got {commit!r}"))
    refused: set[str] = set()
    env_files = _yaml_files(config_dir / ENVIRONMENTS_DIR, config_dir, problems)
    project_files = _yaml_files(config_dir / PROJECTS_DIR, config_dir, problems)
    warnings: list[Problem] = []
    env_sources: dict[str, ConfigSource] = {}
    environments = _load_environments(env_files, problems, refused, warnings, env_sources)
    if not environments and not problems:
        problems.append(Problem(display_path(config_dir / ENVIRONMENTS_DIR), 0, "",
                                "no environments defined: add one YAML file per environment"))
    literal_envs = {name: escape_templates(env) for name, env in environments.items()}
    per_env: dict[str, list[ProjectTarget]] = {name: [] for name in sorted(environments)}
    declared = {path.stem for path in env_files}
    pipelines_seen: dict[tuple[str, str], str] = {}  # (environment, pipeline name) -> project
    for data, smap, display in _load_projects(project_files, problems, refused):
        for env_name, target in _resolve(data, smap, display, environments, declared, commit, problems,
                                         literal_envs, warnings, pipelines_seen).items():
            if target.project.enabled:
                per_env[env_name].append(target)
    for targets in per_env.values():
        targets.sort(key=lambda t: t.project.name)
    platform = Platform(environments=dict(sorted(literal_envs.items())), targets=per_env,
                        sources={name: env_sources[name] for name in sorted(environments)})
    for check in checks:  # e.g. derived names: rules and cross-project collisions
        problems.extend(check(platform))
    if problems:
        raise ConfigError(safe_problems(problems, refused))
    return dataclasses.replace(platform, warnings=safe_problems(sorted(set(warnings)), refused))


def safe_problems(problems: list[Problem], refused: set[str] = frozenset()) -> list[Problem]:
    """The one message filter of the config layer: every problem's text with credentials
    (and every value the secret scanner refused) redacted, echoed values cut to about 80
    characters, invisible characters escaped (databricks_spec.secrets.safe_message)."""
    return [dataclasses.replace(p, file=safe_message(p.file, cut=False), key=safe_message(p.key, refused),
                                summary=safe_message(p.summary, refused),
                                detail=safe_message(p.detail, refused)) for p in problems]

"""Every derived Databricks name, checked before anything is built (issue 11 item 4).

The names come from :mod:`resolution.names`, the one home of every naming formula (the same
functions the stacks build with), so a construct never refuses a name config accepted.
Each name is checked against its length and character rule (databricks_spec.names) and
against the names of every other project in the environment, under the normalization that
makes two names one Databricks object. Problems are located with the config source map each
target carries (``ProjectTarget.source``): the explicit setting when there is one, else the
project's ``name``.

``load_platform(config_dir, checks=(name_problems,))`` runs this with the config layer's
own checks, so every problem is reported at once; :func:`load_checked` is that call, and
what the CLI (mlops_tools.synth) and tests run before any jsii starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from databricks_spec.names import name_problem, normalized
from databricks_spec.rules import Finding
from platform_config import Platform, ProjectTarget, load_platform
from platform_config.code_folder import code_problems  # docs/code-delivery.md
from platform_config.errors import Problem, key_path
from resolution import names


@dataclass(frozen=True)
class DerivedName:
    kind: str
    """A key of databricks_spec.names.RULES."""
    name: str
    path: tuple
    """The config key the name comes from: the explicit setting, else the project's name."""


def derived_names(target: ProjectTarget) -> list[DerivedName]:
    """Every Databricks name ``target`` gets, derived by resolution.names."""
    project, env = target.project, target.env
    own = ("name",)
    out: list[DerivedName] = []
    for key, schema in project.schemas.items():
        out.append(DerivedName("schema", names.schema_name(project, key),
                               ("schemas", key, "name") if schema.name else own))
    out.append(DerivedName("registered model", f"{names.model_schema(project).name}.{names.model_name(project)}",
                           ("model", "name") if project.model.name else own))
    for key, volume in project.volumes.items():
        out.append(DerivedName("volume", f"{names.schema_ref(project, volume.schema_key).name}."
                                         f"{names.volume_name(key, volume.name)}",
                               ("volumes", key, "name") if volume.name else ("volumes", key)))
    out.append(DerivedName("experiment", names.experiment_path(env, project),
                           ("experiment", "path") if project.experiment.path else own))
    for key, endpoint in project.serving.endpoints.items():
        if endpoint.enabled:
            out.append(DerivedName("serving endpoint", names.endpoint_name(env, project, key, endpoint.name),
                                   ("serving", "endpoints", key, "name") if endpoint.name else own))
    for kind, job in project.jobs.enabled_jobs():
        out.append(DerivedName("job", names.job_name(env, project, kind, job.name),
                               ("jobs", kind, "name") if job.name else own))
    for key, pipeline in project.pipelines.items():  # the job running a pipeline (resolution.pipelines)
        job = pipeline.orchestration.job
        if pipeline.enabled and job is not None:
            at = ("pipelines", key, "orchestration", "job")
            out.append(DerivedName("job", names.pipeline_job_name(env, project, key, job.name),
                                   at + ("name",) if job.name else at))
    for key, monitor in project.monitors.items():
        out.append(DerivedName("monitor assets folder",
                               names.monitor_assets_dir(env, project, key, monitor.assets_dir),
                               ("monitors", key, "assets_dir") if monitor.assets_dir else ("monitors", key)))
    return out


def _rule_findings(item: DerivedName) -> list[Finding]:
    """The name rule of ``item.kind`` on the name (a schema.object name: on each part; the first
    part that breaks it)."""
    if item.kind in ("registered model", "volume"):  # schema.object: each part is a UC name
        return next((f for f in (name_problem(item.kind, part) for part in item.name.split(".")) if f), [])
    return name_problem(item.kind, item.name)


def _locate(target: ProjectTarget, path: tuple) -> tuple[str, int]:
    return target.source.locate(path) if target.source is not None else ("", 0)


def environment_name_problems(env_name: str, targets: list[ProjectTarget]) -> list[Problem]:
    """Rule violations and cross-project collisions of derived names in one environment
    (``targets``: its enabled projects; the first written, by file, is the one named as taken)."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], tuple[str, str, int, str]] = {}
    ordered = sorted(targets, key=lambda t: (t.source.file if t.source else "", t.project.name))
    for target in ordered:
        project = target.project.name
        for item in derived_names(target):
            file, line = _locate(target, item.path)
            findings = _rule_findings(item)
            if findings:
                problems += [Problem(file, line, key_path(item.path),
                                     f"{item.kind} name '{item.name}' in environment '{env_name}': {f}")
                             for f in findings]
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


def name_problems(platform: Platform) -> list[Problem]:
    """Every derived-name problem of every environment (a ``load_platform`` check)."""
    return [p for env_name, targets in sorted(platform.targets.items())
            for p in environment_name_problems(env_name, targets)]


def load_checked(config_dir: Path) -> Platform:
    """Load and validate ``config_dir`` with every derived name checked; raise ConfigError
    (exit 2) listing every problem, code folders included (platform_config.code_folder). No jsii:
    the pipeline runs it before building anything."""
    return load_platform(config_dir, checks=(name_problems, code_problems))

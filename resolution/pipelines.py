"""Lakeflow Declarative Pipelines of one project, resolved: pipeline and job names, target
catalog and schema, library paths (Git folder or workspace root), the configuration
contract pipeline code reads (Auto Loader sources as ``mlops.ingest.<table>.*`` keys,
expectations as ``mlops.expectations.<table>`` JSON; docs/pipelines.md), development
mode, the classic cluster and its policy, the event log table, tags, run_as and
permissions, the project's Git folder and the standalone jobs that run pipelines.

Same concept as platform_config/pipelines.py (config) and stacks/pipelines.py
(composition), seen from the resolution layer. Pure: no jsii.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from databricks_spec import pipelines as spec
from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.jobs import JOB_LEVEL_RANK, JobBase, ResolvedSettings
from platform_config.pipelines import (IngestSource, PipelineClusterConfig, PipelineConfig, development_mode,
                                       enabled_pipelines)
from resolution import names
from resolution.code import workspace_code_root  # docs/code-delivery.md
from resolution.jobs import PolicyRef
from resolution.names import SchemaRef
from resolution.principals import Member, level_map, members
from resolution.tags import unit_tags

#: Pipeline permission levels, lowest first (databricks_spec).
PIPELINE_LEVELS = spec.PIPELINE_LEVELS
#: Git folder permission level of the identities pipelines reading code from it run as.
GIT_FOLDER_READ = "CAN_READ"
#: The level a job needs on a pipeline to start its updates.
RUNNER_LEVEL = "CAN_RUN"


@dataclass(frozen=True)
class ResolvedLibrary:
    kind: str
    """notebook, file or glob."""
    path: str
    """An absolute workspace path; with ``in_git_folder``, the path inside the project's Git
    folder (the stack prefixes the folder's path, a token)."""
    in_git_folder: bool


@dataclass(frozen=True)
class ResolvedPipelineCluster:
    """The classic cluster (label 'default') of a pipeline with ``serverless: false``."""

    node_type_id: str
    """``node_type`` (for the environment's cloud), default the environment's node type."""
    driver_node_type_id: str | None
    num_workers: int | None
    autoscale: tuple[int, int, str] | None
    """(min_workers, max_workers, mode); None with a fixed size or nothing configured."""
    cluster_policy: str | PolicyRef | None
    """``policy_id``, else the environment policy ``policy`` (default ``compute.default_policy``):
    its literal id or a policy the platform creates; None without a policy."""
    custom_tags: Mapping[str, str]
    spark_conf: Mapping[str, str]


@dataclass(frozen=True)
class EventLogTable:
    """The Unity Catalog table the pipeline's event log is published to (all literal)."""

    catalog: str
    """The pipeline's catalog when its target is 'catalog.schema' and the event log names no
    schema; else the environment's catalog."""
    schema: str
    """``event_log.schema`` (a project schema key resolves to its name), default the pipeline's schema."""
    name: str


@dataclass(frozen=True)
class ResolvedSchedule:
    cron: str
    timezone: str
    """The schedule's ``timezone``, default ``jobs.timezone``."""
    paused: bool
    """``paused``, default the environment's ``pause_schedules``."""


@dataclass(frozen=True)
class ResolvedFileArrival:
    url: str
    """The volume path (or URL) plus ``path``, ending in '/'."""
    min_time_between_triggers_seconds: int | None
    wait_after_last_change_seconds: int | None
    paused: bool
    """``paused``, default the environment's ``pause_schedules``."""


@dataclass(frozen=True)
class ResolvedPipelineJob:
    """A standalone job running one pipeline (one pipeline_task); notifications, health,
    timeout, edit mode, run_as, permissions and tags are the project's shared ``jobs:`` ones."""

    name: str
    """The naming rule applied to ``name``, default '<project>-<key>-pipeline-job'."""
    description: str
    task_key: str
    full_refresh: bool
    schedule: ResolvedSchedule | None
    file_arrival: ResolvedFileArrival | None
    settings: ResolvedSettings
    """The shared ``jobs:`` settings (notifications, health, timeout, edit mode)."""
    run_as: Member | None
    permissions: Mapping[Member, str]
    tags: Mapping[str, str]
    """By the one tag precedence over the shared ``jobs.tags`` (with ``iac_commit`` when opted in)."""


@dataclass(frozen=True)
class ResolvedPipeline:
    key: str
    """Key in the project's ``pipelines``: the construct id is ``pipeline_<key>``."""
    config: PipelineConfig
    """The validated config (the stack reads pass-through fields from it: serverless,
    dependencies, channel, edition, photon, continuous, notifications, budget policy)."""
    name: str
    """The naming rule applied to ``name``, default '<project>-<key>-pipeline'."""
    catalog: str | None
    """The catalog of a 'catalog.schema' target; None: the environment's catalog (the stack
    refers to it)."""
    schema: SchemaRef
    """The target schema (a project schema key refers to the created schema)."""
    libraries: tuple[ResolvedLibrary, ...]
    """In configured order."""
    cluster: ResolvedPipelineCluster | None
    """None for serverless pipelines."""
    configuration: Mapping[str, str]
    """The configured keys plus the platform's contract keys (docs/pipelines.md)."""
    development: bool
    """``development``, default the environment's ``pipelines.development``."""
    event_log: EventLogTable | None
    run_as: Member | None
    permissions: Mapping[Member, str]
    """Member -> the highest configured level, raised to CAN_RUN for the run_as identities of
    the jobs that run the pipeline (the feature engineering job, the standalone job)."""
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags), with ``iac_commit`` when opted in."""
    job: ResolvedPipelineJob | None
    """The standalone job running it (``orchestration.job``), or None."""

    @property
    def task_key(self) -> str:
        """Task key of the pipeline_task running this pipeline (in any job)."""
        return pipeline_task_key(self.key)

    @property
    def in_feature_job(self) -> bool:
        """Whether the feature engineering job runs this pipeline first."""
        return self.config.orchestration.feature_engineering


@dataclass(frozen=True)
class ResolvedGitFolder:
    """The project's Git folder (databricks_repo), checked out from ``jobs.git_source`` when a
    pipeline reads a relative library path."""

    url: str
    path: str
    """/Repos/mlops/<named project>."""
    provider: str | None
    branch: str | None
    tag: str | None
    readers: Mapping[Member, str]
    """CAN_READ for the run_as identities of the pipelines reading from it."""


def pipeline_task_key(key: str) -> str:
    """Task key of the pipeline_task running pipeline ``key``: 'pipeline_<key>'."""
    return f"pipeline_{key}"


def _below(base: str, sub: str | None) -> str:
    return f"{base.rstrip('/')}/{sub}" if sub else base


def ingest_location(env: EnvironmentConfig, target: ProjectTarget, source: IngestSource) -> str:
    """The files Auto Loader reads: a volume path or external URL, plus the sub-folder."""
    base = names.volume_path(env, target.project, source.volume) if source.volume else source.url
    assert base is not None  # config: exactly one of volume or url
    return _below(base, source.path)


def pipeline_configuration(target: ProjectTarget, p: PipelineConfig) -> dict[str, str]:
    """The pipeline's configuration map: the user's keys plus the platform's contract keys."""
    env = target.env
    conf = dict(p.configuration)
    if p.ingest:
        conf[spec.INGEST_TABLES_KEY] = ",".join(sorted(p.ingest))
    for table, source in sorted(p.ingest.items()):
        conf[spec.ingest_key(table, "source")] = ingest_location(env, target, source)
        conf[spec.ingest_key(table, "format")] = source.format
        if source.schema_hints:
            conf[spec.ingest_key(table, "schema_hints")] = source.schema_hints
        if source.schema_evolution_mode:
            conf[spec.ingest_key(table, "schema_evolution_mode")] = source.schema_evolution_mode
        if source.comment:
            conf[spec.ingest_key(table, "comment")] = source.comment
        if source.options:
            conf[spec.ingest_key(table, "options")] = spec.options_json(source.options)
    for table, rules in sorted(p.expectations.items()):
        conf[spec.expectations_key(table)] = spec.expectations_json(
            {name: (rule.expression, rule.action) for name, rule in rules.items()})
    return conf


def _target(target: ProjectTarget, value: str) -> tuple[str | None, SchemaRef]:
    """(catalog, schema) of a pipeline target: 'catalog.schema' as is; a project schema key or
    a schema name in the environment's catalog (catalog None)."""
    if "." in value:
        catalog, schema = value.split(".")
        return catalog, SchemaRef(schema, None)
    return None, names.schema_ref(target.project, value)


def _event_log(target: ProjectTarget, p: PipelineConfig) -> EventLogTable | None:
    if p.event_log is None:
        return None
    configured = p.event_log.schema_name
    value = configured or p.schema_name
    schema = names.schema_name(target.project, value) if value in target.project.schemas else value.split(".")[-1]
    catalog = p.schema_name.split(".")[0] if "." in p.schema_name and not configured else target.env.catalog.name
    return EventLogTable(catalog=catalog, schema=schema, name=p.event_log.name)


def _reads_git(target: ProjectTarget, p: PipelineConfig) -> bool:
    if target.project.code.source == "workspace":  # relative paths are in the deployed code (resolution.code)
        return False
    return target.project.jobs.git_source is not None and any(spec.relative(lib.path) for lib in p.libraries)


def _libraries(target: ProjectTarget, p: PipelineConfig) -> tuple[ResolvedLibrary, ...]:
    jobs = target.project.jobs
    out = []
    for lib in p.libraries:
        relative = spec.relative(lib.path)
        if relative and target.project.code.source == "workspace":  # deployed below the code root
            root = workspace_code_root(target.env, target.project)
            out.append(ResolvedLibrary(lib.kind, f"{'' if lib.kind == 'notebook' else '/Workspace'}{root}/{lib.path}",
                                       in_git_folder=False))
        elif relative and jobs.git_source is not None:
            out.append(ResolvedLibrary(lib.kind, lib.path, in_git_folder=True))
        else:
            out.append(ResolvedLibrary(lib.kind, f"{jobs.workspace_root}/{lib.path}" if relative else lib.path,
                                       in_git_folder=False))
    return tuple(out)


def _cluster(env: EnvironmentConfig, p: PipelineConfig) -> ResolvedPipelineCluster | None:
    if p.serverless:
        return None
    c = p.cluster or PipelineClusterConfig()

    def node(value: Any) -> str | None:
        return value.get(env.cloud) if isinstance(value, dict) else value

    policy: str | PolicyRef | None = c.policy_id
    key = c.policy or env.compute.default_policy
    if policy is None and key:
        configured = env.compute.cluster_policies[key]
        policy = configured.id if configured.id is not None else PolicyRef(key, names.cluster_policy_name(env, key))
    return ResolvedPipelineCluster(
        node_type_id=node(c.node_type) or env.compute.node_type_for(env.cloud),
        driver_node_type_id=node(c.driver_node_type), num_workers=c.num_workers,
        autoscale=(c.autoscale.min_workers, c.autoscale.max_workers, c.autoscale.mode) if c.autoscale else None,
        cluster_policy=policy, custom_tags=dict(c.custom_tags), spark_conf=dict(c.spark_conf))


def _run_as(target: ProjectTarget, role: str | None) -> Member | None:
    return members(target.env, target.roles[role])[0] if role else None


def _permissions(target: ProjectTarget, p: PipelineConfig) -> dict[Member, str]:
    """Configured levels plus CAN_RUN for the run_as identities of the jobs that run the
    pipeline (a job needs it to start an update), keeping any higher level."""
    env, jobs = target.env, target.project.jobs
    out = level_map(env, target.roles, p.permissions, PIPELINE_LEVELS)
    roles = []
    if p.orchestration.feature_engineering and jobs.feature_engineering is not None:
        roles.append(jobs.resolve(jobs.feature_engineering).run_as)
    if p.orchestration.job is not None:
        roles.append(jobs.resolve(JobBase()).run_as)
    for role in filter(None, roles):
        for m in members(env, target.roles[role]):
            if PIPELINE_LEVELS.index(out.get(m, "CAN_VIEW")) < PIPELINE_LEVELS.index(RUNNER_LEVEL):
                out[m] = RUNNER_LEVEL
    return out


def _paused(env: EnvironmentConfig, override: bool | None) -> bool:
    return env.pause_schedules if override is None else override


def _job(target: ProjectTarget, key: str, p: PipelineConfig) -> ResolvedPipelineJob | None:
    job = p.orchestration.job
    if job is None:
        return None
    env, project = target.env, target.project
    jobs = project.jobs
    s = jobs.resolve(JobBase())
    schedule = file_arrival = None
    if job.schedule is not None:
        schedule = ResolvedSchedule(cron=job.schedule.cron, timezone=job.schedule.timezone or jobs.timezone,
                                    paused=_paused(env, job.schedule.paused))
    if (fa := job.file_arrival) is not None:
        base = names.volume_path(env, project, fa.volume) if fa.volume else fa.url
        assert base is not None  # config: exactly one of volume or url
        url = _below(base, fa.path)
        file_arrival = ResolvedFileArrival(
            url=url if url.endswith("/") else url + "/",
            min_time_between_triggers_seconds=fa.min_time_between_triggers_seconds,
            wait_after_last_change_seconds=fa.wait_after_last_change_seconds, paused=_paused(env, fa.paused))
    return ResolvedPipelineJob(
        name=names.pipeline_job_name(env, project, key, job.name),
        description=f"{project.name}: runs pipeline {key} ({env.name})",
        task_key=pipeline_task_key(key), full_refresh=job.full_refresh,
        schedule=schedule, file_arrival=file_arrival, settings=s,
        run_as=_run_as(target, s.run_as),
        permissions=level_map(env, target.roles, s.permissions, JOB_LEVEL_RANK),
        tags=unit_tags(env, project, s.tags, iac_commit=target.iac_commit))


def resolve_pipeline(target: ProjectTarget, key: str, p: PipelineConfig) -> ResolvedPipeline:
    env, project = target.env, target.project
    catalog, schema = _target(target, p.schema_name)
    return ResolvedPipeline(
        key=key, config=p, name=names.pipeline_name(env, project, key),
        catalog=catalog, schema=schema, libraries=_libraries(target, p), cluster=_cluster(env, p),
        configuration=pipeline_configuration(target, p), development=development_mode(env, p),
        event_log=_event_log(target, p), run_as=_run_as(target, p.run_as), permissions=_permissions(target, p),
        tags=unit_tags(env, project, p.tags, iac_commit=target.iac_commit), job=_job(target, key, p))


def resolve_pipelines(target: ProjectTarget) -> dict[str, ResolvedPipeline]:
    """The project's enabled pipelines by key, sorted."""
    return {key: resolve_pipeline(target, key, p) for key, p in enabled_pipelines(target.project)}


def resolve_git_folder(target: ProjectTarget, pipelines: Mapping[str, ResolvedPipeline]) -> ResolvedGitFolder | None:
    """The project's Git folder, when a pipeline reads a relative path from ``jobs.git_source`` or
    ``code.git_folder`` asks for one (docs/code-delivery.md)."""
    g = target.project.jobs.git_source
    readers_of = [p for p in pipelines.values() if _reads_git(target, p.config)]
    if g is None or not (readers_of or target.project.code.git_folder):  # code.git_folder: docs/code-delivery.md
        return None
    readers = {m: GIT_FOLDER_READ for p in readers_of if p.config.run_as
               for m in members(target.env, target.roles[p.config.run_as])}
    if target.project.code.git_folder:  # the jobs' run_as identities read notebooks from it too
        jobs = target.project.jobs
        for role in sorted({r for _, j in jobs.enabled_jobs() if (r := jobs.resolve(j).run_as)}):
            readers.update({m: GIT_FOLDER_READ for m in members(target.env, target.roles[role])})
    return ResolvedGitFolder(url=g.url, path=names.git_folder_path(target.env, target.project),
                             provider=g.resolved_provider, branch=g.branch, tag=g.tag, readers=readers)

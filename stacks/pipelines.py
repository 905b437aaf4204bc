"""Compose a project's Lakeflow Declarative Pipelines (and the jobs that run them) from config.

Decides WHICH pipelines exist and turns resolved config into construct props,
including the configuration contract pipeline code reads (docs/pipelines.md):
Auto Loader sources as mlops.ingest.<table>.* keys, expectations as
mlops.expectations.<table> JSON. Construct ids come from config keys
("pipeline_ingest", "pipeline_ingest_job", "pipeline_code"), never list positions.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from databricks_spec import pipelines as spec
from mlops_constructs.git_folder import GitFolder, GitFolderProps
from mlops_constructs.job import MlJob, MlJobProps, PipelineCode, ScheduleSpec, TaskSpec, TriggerSpec
from mlops_constructs.principal import Principal
from mlops_constructs.pipeline import (LakeflowPipeline, LakeflowPipelineProps, LibrarySpec, NotificationSpec,
                                       PipelineClusterSpec)
from platform_config import ProjectTarget
from platform_config.governance import project_schema_name
from platform_config.jobs import JOB_LEVEL_RANK, JobBase
from platform_config.pipelines import (IngestSource, PipelineClusterConfig, PipelineConfig, development_mode,
                                       enabled_pipelines, pipeline_name)
from stacks.governance import DataUnits
from stacks.jobs import _notifications, policy_id, unit_tags
from stacks.platform import catalog_name

#: Construct id of the project's Git folder holding pipeline code checked out from jobs.git_source.
GIT_FOLDER_ID = "pipeline_code"


def _helpers():
    import stacks.project as helpers  # late: stacks.project imports this module
    return helpers


def pipeline_task_key(key: str) -> str:
    """Task key of the pipeline_task running pipeline ``key``."""
    return f"pipeline_{key}"


def git_folder_path(target: ProjectTarget) -> str:
    """Where the project's Git folder is checked out: /Repos/mlops/<named project>."""
    return f"/Repos/mlops/{target.env.object_name(target.project.name)}"


def volume_path(target: ProjectTarget, key: str) -> str:
    """/Volumes/<catalog>/<schema>/<volume> of project volume ``key``."""
    volume = target.project.volumes[key]
    schema = project_schema_name(target.project, volume.schema_key)
    return f"/Volumes/{target.env.catalog.name}/{schema}/{volume.name or key.replace('-', '_')}"


def _below(base: str, sub: str | None) -> str:
    return f"{base.rstrip('/')}/{sub}" if sub else base


def ingest_location(target: ProjectTarget, source: IngestSource) -> str:
    """The files Auto Loader reads: a volume path or external URL, plus the sub-folder."""
    base = volume_path(target, source.volume) if source.volume else source.url
    assert base is not None
    return _below(base, source.path)


def pipeline_configuration(target: ProjectTarget, p: PipelineConfig) -> dict[str, str]:
    """The pipeline's configuration map: the user's keys plus the platform's contract keys."""
    conf = dict(p.configuration)
    if p.ingest:
        conf[spec.INGEST_TABLES_KEY] = ",".join(sorted(p.ingest))
    for table, source in sorted(p.ingest.items()):
        conf[spec.ingest_key(table, "source")] = ingest_location(target, source)
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


def _schema(scope: Construct, target: ProjectTarget, data: DataUnits, value: str) -> tuple[str, str]:
    """(catalog, schema) of a pipeline target: a project schema key (a token on its schema
    resource), a schema of the environment's catalog, or catalog.schema."""
    if "." in value:
        catalog, schema = value.split(".")
        return catalog, schema
    if value in data.schemas:
        return catalog_name(scope, target.env), data.schemas[value].name
    return catalog_name(scope, target.env), value


def _literal_schema(target: ProjectTarget, value: str) -> str:
    if value in target.project.schemas:
        return project_schema_name(target.project, value)
    return value.split(".")[-1]


def _libraries(target: ProjectTarget, p: PipelineConfig, git: GitFolder | None) -> tuple[LibrarySpec, ...]:
    jobs = target.project.jobs
    out = []
    for lib in p.libraries:
        path = lib.path
        if spec.relative(path):
            path = f"{git.path}/{path}" if git is not None else f"{jobs.workspace_root}/{path}"
        out.append(LibrarySpec(kind=lib.kind, path=path))
    return tuple(out)


def _cluster(scope: Construct, target: ProjectTarget, p: PipelineConfig) -> PipelineClusterSpec | None:
    if p.serverless:
        return None
    env = target.env
    c = p.cluster or PipelineClusterConfig()

    def node(value: Any) -> str | None:
        return value.get(env.cloud) if isinstance(value, dict) else value

    policy = c.policy_id
    if policy is None and (c.policy or env.compute.default_policy):
        policy = policy_id(scope, target, c.policy or env.compute.default_policy)
    return PipelineClusterSpec(
        node_type_id=node(c.node_type) or env.compute.node_type_for(env.cloud),
        driver_node_type_id=node(c.driver_node_type), num_workers=c.num_workers,
        autoscale=(c.autoscale.min_workers, c.autoscale.max_workers, c.autoscale.mode) if c.autoscale else None,
        policy_id=policy, custom_tags=c.custom_tags, spark_conf=c.spark_conf)


def _git_folder(units: Construct, target: ProjectTarget) -> GitFolder | None:
    """The project's Git folder, when a pipeline reads a relative path from jobs.git_source."""
    g = target.project.jobs.git_source
    if g is None or not any(spec.relative(lib.path) for _, p in enabled_pipelines(target.project)
                            for lib in p.libraries):
        return None
    readers: dict = {}
    for _, p in enabled_pipelines(target.project):  # who pipelines run as must read their code
        if p.run_as and any(spec.relative(lib.path) for lib in p.libraries):
            readers.update({pr: "CAN_READ" for pr in _helpers().principals(target, p.run_as, units)})
    return GitFolder(units, GIT_FOLDER_ID, GitFolderProps(
        url=g.url, path=git_folder_path(target), provider=g.resolved_provider, branch=g.branch, tag=g.tag,
        permissions=readers))


def _runner_levels(units: Construct, target: ProjectTarget, p: PipelineConfig,
                   levels: dict[Principal, str]) -> dict[Principal, str]:
    """``levels`` plus CAN_RUN for the run_as identities of the jobs that run the pipeline (a job
    needs it to start an update), keeping any higher level."""
    jobs = target.project.jobs
    roles = []
    if p.orchestration.feature_engineering and jobs.feature_engineering is not None:
        roles.append(jobs.resolve(jobs.feature_engineering).run_as)
    if p.orchestration.job is not None:
        roles.append(jobs.resolve(JobBase()).run_as)
    out = dict(levels)
    rank = spec.PIPELINE_LEVELS
    for role in filter(None, roles):
        for principal in _helpers().principals(target, role, units):
            if rank.index(out.get(principal, "CAN_VIEW")) < rank.index("CAN_RUN"):
                out[principal] = "CAN_RUN"
    return out


def add_project_pipelines(units: Construct, target: ProjectTarget, data: DataUnits) -> dict[str, LakeflowPipeline]:
    """The project's enabled pipelines (and their standalone jobs) under ``units``, keyed by config key."""
    env, project = target.env, target.project
    helpers = _helpers()
    git = _git_folder(units, target)
    built: dict[str, LakeflowPipeline] = {}
    for key, p in enabled_pipelines(project):
        scope_id = f"pipeline_{key}"
        catalog, schema = _schema(units, target, data, p.schema_name)
        event_log = None
        if p.event_log is not None:
            log_schema = _literal_schema(target, p.event_log.schema_name or p.schema_name)
            log_catalog = p.schema_name.split(".")[0] if "." in p.schema_name and not p.event_log.schema_name \
                else env.catalog.name
            event_log = (log_catalog, log_schema, p.event_log.name)
        built[key] = LakeflowPipeline(units, scope_id, LakeflowPipelineProps(
            name=pipeline_name(env, project, key),
            catalog=catalog, schema=schema,
            libraries=_libraries(target, p, git),
            serverless=p.serverless,
            cluster=_cluster(units, target, p),
            dependencies=tuple(p.dependencies),
            configuration=pipeline_configuration(target, p),
            channel=p.channel, edition=p.edition, photon=p.photon, continuous=p.continuous,
            development=development_mode(env, p),
            notifications=tuple(NotificationSpec(emails=tuple(n.emails), alerts=tuple(n.alerts))
                                for n in p.notifications),
            event_log=event_log,
            budget_policy_id=p.budget_policy_id,
            run_as=helpers.principals(target, p.run_as, units)[0] if p.run_as else None,
            permissions=_runner_levels(units, target, p, helpers.role_levels(
                target, p.permissions, list(spec.PIPELINE_LEVELS), units)),
            tags=unit_tags(target, p.tags),
        ))
        if p.orchestration.job is not None:
            _standalone_job(units, target, key, p, built[key].pipeline_id)
    return built


def feature_job_pipelines(target: ProjectTarget, built: dict[str, LakeflowPipeline]) -> dict[str, str]:
    """Task key -> pipeline id of the pipelines the feature engineering job runs first."""
    return {pipeline_task_key(key): built[key].pipeline_id
            for key, p in enabled_pipelines(target.project) if p.orchestration.feature_engineering}


def _standalone_job(units: Construct, target: ProjectTarget, key: str, p: PipelineConfig,
                    pipeline_id: str) -> MlJob:
    """A job running the pipeline on a schedule or file arrival, with the project's shared job settings."""
    env, project, jobs = target.env, target.project, target.project.jobs
    job = p.orchestration.job
    assert job is not None
    s = jobs.resolve(JobBase())
    helpers = _helpers()

    def paused(override: bool | None) -> bool:
        return env.pause_schedules if override is None else override

    schedule = trigger = None
    if job.schedule is not None:
        schedule = ScheduleSpec(cron=job.schedule.cron, timezone=job.schedule.timezone or jobs.timezone,
                                paused=paused(job.schedule.paused))
    if (fa := job.file_arrival) is not None:
        base = volume_path(target, fa.volume) if fa.volume else fa.url
        assert base is not None
        url = _below(base, fa.path)
        trigger = TriggerSpec(file_arrival_url=url if url.endswith("/") else url + "/",
                              min_time_between_triggers_seconds=fa.min_time_between_triggers_seconds,
                              wait_after_last_change_seconds=fa.wait_after_last_change_seconds,
                              paused=paused(fa.paused))
    return MlJob(units, f"pipeline_{key}_job", MlJobProps(
        name=env.object_name(job.name or f"{project.name}-{key}-pipeline-job"),
        description=f"{project.name}: runs pipeline {key} ({env.name})",
        tasks=(TaskSpec(key=pipeline_task_key(key), action=PipelineCode(pipeline_id=pipeline_id,
                                                                          full_refresh=job.full_refresh)),),
        schedule=schedule, trigger=trigger,
        notifications=_notifications(s.notifications),
        health=s.health,
        timeout_seconds=s.timeout_seconds,
        edit_mode=s.edit_mode,
        run_as=helpers.principals(target, s.run_as, units)[0] if s.run_as else None,
        permissions=helpers.role_levels(target, s.permissions, JOB_LEVEL_RANK, units),
        tags=unit_tags(target, s.tags),
    ))

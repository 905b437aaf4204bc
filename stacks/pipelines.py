"""Compose a project's Lakeflow Declarative Pipelines (and the jobs that run them).

Decides WHICH pipelines exist and maps resolved values (resolution.pipelines: names,
target schema, libraries, the configuration contract pipeline code reads, development
mode, cluster policy references, tags, principals and levels) to construct props,
wiring the Terraform references through the stack's StackRefs: the catalog, the
project's schemas, the Git folder's path, the cluster policies (looked up up front,
stacks.jobs.policy_lookups) and apply-time service principals. Construct ids come from
config keys ("pipeline_ingest", "pipeline_ingest_job", "pipeline_code"), never list
positions.
"""

from __future__ import annotations

from typing import Mapping

from constructs import Construct

from mlops_constructs.cluster_policy import ClusterPolicy
from mlops_constructs.git_folder import GitFolder, GitFolderProps
from mlops_constructs.job import MlJob, MlJobProps, PipelineCode, ScheduleSpec, TaskSpec, TriggerSpec
from mlops_constructs.pipeline import (LakeflowPipeline, LakeflowPipelineProps, LibrarySpec, NotificationSpec,
                                       PipelineClusterSpec)
from platform_config import EnvironmentConfig
from resolution import PolicyRef, ResolvedProject
from resolution.observability import email_addresses
from resolution.pipelines import ResolvedPipeline, ResolvedPipelineCluster, ResolvedPipelineJob
from stacks.governance import DataUnits
from stacks.jobs import shared_job_settings
from stacks.located import configured_at
from stacks.refs import PrincipalRefs, StackRefs

#: Construct id of the project's Git folder holding pipeline code checked out from jobs.git_source.
GIT_FOLDER_ID = "pipeline_code"


def _git_folder(units: Construct, project: ResolvedProject, principals: PrincipalRefs) -> GitFolder | None:
    g = project.git_folder
    if g is None:
        return None
    return GitFolder(units, GIT_FOLDER_ID, GitFolderProps(
        url=g.url, path=g.path, provider=g.provider, branch=g.branch, tag=g.tag,
        permissions=principals.levels(g.readers)))


def _libraries(p: ResolvedPipeline, git: GitFolder | None) -> tuple[LibrarySpec, ...]:
    out = []
    for lib in p.libraries:
        if lib.in_git_folder:
            assert git is not None  # resolution: a library in the Git folder implies the folder
            out.append(LibrarySpec(kind=lib.kind, path=f"{git.path}/{lib.path}"))
        else:
            out.append(LibrarySpec(kind=lib.kind, path=lib.path))
    return tuple(out)


def _cluster(c: ResolvedPipelineCluster | None, policies: Mapping[str, ClusterPolicy]) -> PipelineClusterSpec | None:
    if c is None:
        return None
    policy = c.cluster_policy
    return PipelineClusterSpec(
        node_type_id=c.node_type_id, driver_node_type_id=c.driver_node_type_id, num_workers=c.num_workers,
        autoscale=c.autoscale,
        policy_id=policies[policy.key].policy_id if isinstance(policy, PolicyRef) else policy,
        custom_tags=c.custom_tags, spark_conf=c.spark_conf)


def add_project_pipelines(units: Construct, project: ResolvedProject, refs: StackRefs, data: DataUnits,
                          policies: Mapping[str, ClusterPolicy]) -> dict[str, LakeflowPipeline]:
    """The project's enabled pipelines (and their standalone jobs) under ``units``, keyed by
    config key; ``policies``: the created cluster policies they use (policy_lookups)."""
    p = refs.principals
    with configured_at(project, ("jobs", "git_source")):  # stacks.located: refusals get file:line
        git = _git_folder(units, project, p)
    built: dict[str, LakeflowPipeline] = {}
    for key, r in project.pipelines.items():
        with configured_at(project, ("pipelines", key)):
            built[key] = _pipeline(units, key, r, refs, data, policies, git, project.target.env)
        if r.job is not None:
            with configured_at(project, ("pipelines", key, "orchestration", "job")):
                _standalone_job(units, key, r.job, built[key].pipeline_id, p, refs.destinations)
    return built


def _pipeline(units: Construct, key: str, r: ResolvedPipeline, refs: StackRefs, data: DataUnits,
              policies: Mapping[str, ClusterPolicy], git: GitFolder | None,
              env: EnvironmentConfig) -> LakeflowPipeline:
    p = refs.principals
    cfg = r.config
    log = r.event_log
    return LakeflowPipeline(units, f"pipeline_{key}", LakeflowPipelineProps(
        name=r.name,
        catalog=r.catalog if r.catalog is not None else refs.catalog_name,
        schema=data.schema_name(r.schema),  # a token when the project creates the schema
        libraries=_libraries(r, git),
        serverless=cfg.serverless,
        cluster=_cluster(r.cluster, policies),
        dependencies=tuple(cfg.dependencies),
        configuration=dict(r.configuration),
        channel=cfg.channel, edition=cfg.edition, photon=cfg.photon, continuous=cfg.continuous,
        development=r.development,
        notifications=tuple(NotificationSpec(emails=email_addresses(env, n.emails),
                                             alerts=tuple(n.alerts))
                            for n in cfg.notifications),
        event_log=(log.catalog, log.schema, log.name) if log is not None else None,
        budget_policy_id=cfg.budget_policy_id,
        run_as=p.principal(r.run_as) if r.run_as is not None else None,
        permissions=p.levels(r.permissions),
        tags=dict(r.tags),
    ))


def feature_job_pipelines(project: ResolvedProject, built: Mapping[str, LakeflowPipeline]) -> dict[str, str]:
    """Task key -> pipeline id of the pipelines the feature engineering job runs first."""
    return {r.task_key: built[key].pipeline_id for key, r in project.pipelines.items() if r.in_feature_job}


def _standalone_job(units: Construct, key: str, job: ResolvedPipelineJob, pipeline_id: str,
                    principals: PrincipalRefs, destinations: Mapping[str, str]) -> MlJob:
    """A job running the pipeline on a schedule or file arrival, with the project's shared job settings
    (notification destinations named by key become their ids, docs/observability.md)."""
    schedule = trigger = None
    if (sc := job.schedule) is not None:
        schedule = ScheduleSpec(cron=sc.cron, timezone=sc.timezone, paused=sc.paused)
    if (fa := job.file_arrival) is not None:
        trigger = TriggerSpec(file_arrival_url=fa.url,
                              min_time_between_triggers_seconds=fa.min_time_between_triggers_seconds,
                              wait_after_last_change_seconds=fa.wait_after_last_change_seconds,
                              paused=fa.paused)
    return MlJob(units, f"pipeline_{key}_job", MlJobProps(
        name=job.name,
        description=job.description,
        tasks=(TaskSpec(key=job.task_key, action=PipelineCode(pipeline_id=pipeline_id,
                                                              full_refresh=job.full_refresh)),),
        schedule=schedule, trigger=trigger,
        **shared_job_settings(job, principals, destinations),
    ))

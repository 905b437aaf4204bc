"""ML workflow jobs of one project, resolved: job names, descriptions, tags, run_as,
permissions, cluster policy references, paused flags and every table the jobs read
and write.

Same concept as platform_config/jobs.py (config) and stacks/jobs.py (composition),
seen from the resolution layer. Pure: no jsii.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.jobs import JOB_LEVEL_RANK, JobBaseConfig, ResolvedSettings
from resolution import names
from resolution.principals import Member, level_map, members
from resolution.serving import ResolvedMonitor, inference_monitor
from resolution.tags import unit_tags


@dataclass(frozen=True)
class PolicyRef:
    """An environment cluster policy the platform creates: the stack refers to the policy
    created in its own stack, or looks it up by ``name`` (per-project layout)."""

    key: str
    name: str


@dataclass(frozen=True)
class ResolvedJob:
    kind: str
    """feature_engineering, training, batch_inference or retraining."""
    config: JobBaseConfig
    settings: ResolvedSettings
    """Job value, else the shared ``jobs`` value, else the default."""
    name: str
    description: str
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags), with ``iac_commit`` when opted in."""
    run_as: Member | None
    permissions: Mapping[Member, str]
    cluster_policy: str | PolicyRef | None
    """The job cluster's policy: a literal id, a policy the platform creates, or none
    (serverless, or no policy configured)."""
    schedule_paused: bool | None
    """The block's ``paused``, default the environment's ``pause_schedules``; None without
    the block. Same for trigger and continuous."""
    trigger_paused: bool | None
    continuous_paused: bool | None
    trigger_tables: tuple[str, ...]
    """A table_update trigger's tables, fully qualified."""


@dataclass(frozen=True)
class FeatureTableNames:
    full_name: str
    input_table: str | None


@dataclass(frozen=True)
class JobTables:
    """The fully qualified tables the project's jobs read and write."""

    feature_tables: Mapping[str, FeatureTableNames]
    """Feature table key -> names (sorted)."""
    training_data: str | None
    validation_data: str | None
    batch_input: str | None
    predictions: str
    """The batch inference output table (default '<model schema>.predictions')."""
    default_drift: str
    """The drift metrics table a monitor of the predictions table would write."""
    drift: str | None
    """The retraining job's drift table: ``drift.table``, else the inference monitor's drift
    metrics table, else ``default_drift``. None without a retraining job."""


def _paused(env: EnvironmentConfig, override: bool | None) -> bool:
    return env.pause_schedules if override is None else override


def resolve_job(target: ProjectTarget, kind: str, job: JobBaseConfig) -> ResolvedJob:
    env, project = target.env, target.project
    s = project.jobs.resolve(job)
    policy: str | PolicyRef | None = None
    cluster = s.compute.cluster if s.compute is not None else None
    if cluster is not None:
        policy = cluster.policy_id
        key = cluster.policy or env.compute.default_policy
        if policy is None and key:
            configured = env.compute.cluster_policies[key]
            policy = configured.id if configured.id is not None else PolicyRef(
                key, names.cluster_policy_name(env, key))
    t = job.trigger
    return ResolvedJob(
        kind=kind, config=job, settings=s,
        name=names.job_name(env, project, kind, job.name),
        description=job.description or f"{project.name}: {kind.replace('_', ' ')} ({env.name})",
        tags=unit_tags(env, project, s.tags, iac_commit=target.iac_commit),
        run_as=members(env, target.roles[s.run_as])[0] if s.run_as else None,
        permissions=level_map(env, target.roles, s.permissions, JOB_LEVEL_RANK),
        cluster_policy=policy,
        schedule_paused=_paused(env, job.schedule.paused) if job.schedule is not None else None,
        trigger_paused=_paused(env, t.paused) if t is not None else None,
        continuous_paused=_paused(env, job.continuous.paused) if job.continuous is not None else None,
        trigger_tables=tuple(names.table(env, project, n) for n in t.table_update.tables)
        if t is not None and t.table_update else ())


def resolve_tables(target: ProjectTarget, monitors: Mapping[str, ResolvedMonitor]) -> JobTables:
    env, project = target.env, target.project
    jobs = dict(project.jobs.enabled_jobs())

    def table(ref: str | None) -> str | None:
        return names.table(env, project, ref) if ref else None

    feature = {}
    if (fe := jobs.get("feature_engineering")) is not None:
        feature = {name: FeatureTableNames(
            full_name=names.table(env, project, f"{t.schema_name}.{name}" if t.schema_name else name),
            input_table=table(t.input_table)) for name, t in sorted(fe.tables.items())}
    tr, bi, rt = jobs.get("training"), jobs.get("batch_inference"), jobs.get("retraining")
    predictions = names.table(env, project, bi.output_table if bi is not None else "predictions")
    catalog, schema, short = predictions.split(".")
    default_drift = f"{catalog}.{schema}.{short}_drift_metrics"
    drift = None
    if rt is not None:
        if rt.drift.table:
            drift = names.table(env, project, rt.drift.table)
        else:
            key = inference_monitor(project)  # an enabled monitor, so one of ``monitors``
            drift = monitors[key].drift_metrics_table if key else default_drift
    return JobTables(
        feature_tables=feature,
        training_data=table(tr.training_data) if tr is not None else None,
        validation_data=table(tr.validation.data) if tr is not None else None,
        batch_input=table(bi.input_table) if bi is not None else None,
        predictions=predictions, default_drift=default_drift, drift=drift)

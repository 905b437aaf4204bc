"""Compose a project's ML workflow jobs, and an environment's cluster policies, from config.

Decides WHICH jobs exist and turns resolved config into construct props; the
constructs in mlops_constructs decide HOW each is built. Construct ids come
from job types and config names ("training_job", "policy_ml-jobs"), never from
list positions.
"""

from __future__ import annotations

from typing import Any

from mlops_engine import TerraformStack
from constructs import Construct

from mlops_constructs.batch_inference_job import BatchInferenceJob, BatchInferenceJobProps
from mlops_constructs.cluster_policy import ClusterPolicy, ClusterPolicyProps
from mlops_constructs.feature_engineering_job import (FeatureEngineeringJob, FeatureEngineeringJobProps,
                                                      FeatureTableSpec)
from mlops_constructs.job import (Code, ContinuousSpec, GitSourceSpec, JobClusterSpec, MlJobProps, NotebookCode,
                                  NotificationsSpec, PythonScriptCode, PythonWheelCode, RetrySpec, ScheduleSpec,
                                  ServerlessEnvSpec, Targets, TriggerSpec)
from mlops_constructs.principal import Principal
from mlops_constructs.retraining_job import RetrainingJob, RetrainingJobProps
from mlops_constructs.training_job import ModelTrainingJob, ModelTrainingJobProps
from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.governance import project_schema_name
from platform_config.jobs import (JOB_LEVEL_RANK, ComputeProfile, JobBase, JobsConfig, NotificationsConfig,
                                  ResolvedSettings, TaskCode)
from stacks.platform import highest_levels, role_map
from stacks.serving import monitor_drift_table  # the inference monitor's drift table

#: Construct id of the container holding an environment's created cluster policies.
POLICIES_ID = "cluster_policies"


def _helpers():
    import stacks.project as helpers  # late: stacks.project imports this module
    return helpers


# --------------------------------------------------------------------------- names


def qualify(target: ProjectTarget, name: str) -> str:
    """A table name as config writes it -> catalog.schema.table:

    * 'catalog.schema.table' as is;
    * 'schema.table' in the environment's catalog, where a key of the project's
      ``schemas`` ('features') stands for that schema's name ('churn_features');
    * 'table' in the schema holding the project's model."""
    parts = name.split(".")
    if len(parts) == 3:
        return name
    catalog = target.env.catalog.name
    if len(parts) == 2:
        schema, table = parts
        if schema in target.project.schemas:
            schema = project_schema_name(target.project, schema)
        return f"{catalog}.{schema}.{table}"
    return f"{catalog}.{_helpers().model_schema(target)}.{name}"


def predictions_table(target: ProjectTarget) -> str:
    """Full name of the batch inference predictions table."""
    batch = target.project.jobs.batch_inference
    return qualify(target, batch.output_table if batch is not None else "predictions")


def default_drift_table(target: ProjectTarget) -> str:
    """The drift metrics table a Lakehouse monitor of the predictions table writes:
    <catalog>.<output schema>.<table>_drift_metrics (output schema: the project's schema)."""
    catalog, schema, table = predictions_table(target).split(".")
    return f"{catalog}.{schema}.{table}_drift_metrics"


def job_name(target: ProjectTarget, kind: str, job: JobBase) -> str:
    base = job.name or f"{target.project.name}-{kind.replace('_', '-')}-job"
    return target.env.object_name(base)


def job_tags(target: ProjectTarget, settings: ResolvedSettings) -> dict[str, str]:
    """Environment tags < project tags < jobs tags < the platform's own keys."""
    return unit_tags(target, settings.tags)


def unit_tags(target: ProjectTarget, own: dict[str, str]) -> dict[str, str]:
    """Environment tags < project tags < the unit's own tags < the platform's own keys."""
    project = target.project
    tags = {**target.env.tags, **project.tags, **own,
            "project": project.name, "environment": target.env.name, "owner": project.owner}
    if project.cost_center:
        tags["cost_center"] = project.cost_center
    if target.iac_commit:
        tags["iac_commit"] = target.iac_commit
    return tags


# --------------------------------------------------------------------------- cluster policies


def _policy_name(env: EnvironmentConfig, key: str) -> str:
    return env.object_name(key)


def _policy_users(env: EnvironmentConfig, targets: list[ProjectTarget], key: str,
                  scope: Construct) -> dict[Principal, str]:
    """run_as principals of every job whose cluster uses policy ``key``: they need CAN_USE."""
    out: dict[Principal, str] = {}
    for target in targets:
        jobs = target.project.jobs
        for _, job in jobs.enabled_jobs():
            s = jobs.resolve(job)
            cluster = s.compute.cluster if s.compute else None
            if cluster is None or cluster.policy_id or not s.run_as:
                continue
            if (cluster.policy or env.compute.default_policy) == key:
                for principal in _helpers().principals(target, s.run_as, scope):
                    out[principal] = "CAN_USE"
    return out


def add_cluster_policies(stack: Construct, env: EnvironmentConfig, targets: list[ProjectTarget]) -> Construct | None:
    """The environment's created cluster policies, under one container (id 'cluster_policies').
    Call before the projects' units so their jobs reference the policies directly."""
    created = {k: p for k, p in env.compute.cluster_policies.items() if p.created}
    if not created:
        return None
    container = Construct(stack, POLICIES_ID)
    for key, policy in sorted(created.items()):
        scope = Construct(container, key)
        access = _env_role_levels(env, policy.permissions, scope)
        access.update(_policy_users(env, targets, key, scope))
        ClusterPolicy(scope, "policy", ClusterPolicyProps(
            name=_policy_name(env, key),
            description=policy.description or f"Job clusters of ML projects ({env.name})",
            definition=policy.definition,
            policy_family_id=policy.policy_family_id,
            policy_family_definition_overrides=policy.policy_family_definition_overrides,
            max_clusters_per_user=policy.max_clusters_per_user,
            permissions=access,
        ))
    return container


def _env_role_levels(env: EnvironmentConfig, levels: dict[str, str], scope: Construct) -> dict[Principal, str]:
    """Environment role -> cluster policy level, resolved to principals (CAN_USE is the only level)."""
    return highest_levels(role_map(scope, env, env.roles, levels), ("CAN_USE",))


def policy_id(scope: Construct, target: ProjectTarget, key: str) -> str:
    """Id of environment policy ``key``: its literal id, the policy created in this stack, or
    (per-project layout) a lookup by name of the one the platform stack created."""
    policy = target.env.compute.cluster_policies[key]
    if policy.id is not None:
        return policy.id
    container = TerraformStack.of(scope).node.try_find_child(POLICIES_ID)
    holder = container.node.try_find_child(key) if container is not None else None
    if holder is not None:
        return holder.node.find_child("policy").policy_id  # type: ignore[attr-defined]
    existing = scope.node.try_find_child(f"policy_{key}")
    if existing is None:
        existing = ClusterPolicy(scope, f"policy_{key}", ClusterPolicyProps(
            name=_policy_name(target.env, key), lookup=True))
    return existing.policy_id  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- props


def _compute(scope: Construct, target: ProjectTarget, name: str,
             profile: ComputeProfile) -> tuple[tuple[JobClusterSpec, ...], tuple[ServerlessEnvSpec, ...], str]:
    env = target.env
    if profile.serverless is not None:
        key = f"{name}_env"
        return (), (ServerlessEnvSpec(key=key, environment_version=profile.serverless.environment_version,
                                      dependencies=tuple(profile.serverless.dependencies)),), key
    c = profile.cluster
    assert c is not None

    def node(value: Any) -> str | None:
        return value.get(env.cloud) if isinstance(value, dict) else value

    policy = c.policy_id
    if policy is None and (c.policy or env.compute.default_policy):
        policy = policy_id(scope, target, c.policy or env.compute.default_policy)
    key = f"{name}_cluster"
    return (JobClusterSpec(
        key=key,
        spark_version=c.spark_version or env.compute.spark_version,
        node_type_id=node(c.node_type) or env.compute.node_type_for(env.cloud),
        driver_node_type_id=node(c.driver_node_type),
        num_workers=c.num_workers,
        autoscale=(c.autoscale.min_workers, c.autoscale.max_workers) if c.autoscale else None,
        data_security_mode=c.data_security_mode or env.compute.data_security_mode,
        custom_tags=c.custom_tags, spark_conf=c.spark_conf, spark_env_vars=c.spark_env_vars,
        policy_id=policy,
    ),), (), key


def _targets(value: Any) -> Targets:
    return Targets(emails=tuple(value.emails), destinations=tuple(value.destinations)) if value else Targets()


def _notifications(n: NotificationsConfig | None) -> NotificationsSpec | None:
    if n is None:
        return None
    return NotificationsSpec(
        on_start=_targets(n.on_start), on_success=_targets(n.on_success), on_failure=_targets(n.on_failure),
        on_duration_warning_threshold_exceeded=_targets(n.on_duration_warning_threshold_exceeded),
        no_alert_for_skipped_runs=n.no_alert_for_skipped_runs,
        no_alert_for_canceled_runs=n.no_alert_for_canceled_runs)


def _paused(env: EnvironmentConfig, override: bool | None) -> bool:
    """A schedule's, trigger's or continuous block's ``paused``, else the environment's pause_schedules."""
    return env.pause_schedules if override is None else override


def code(jobs: JobsConfig, task: TaskCode, extra: dict[str, str]) -> Code:
    """Config task code -> construct code; job parameters first, the task's own win."""
    params = {**extra, **task.parameters}

    def path(p: str) -> str:
        if task.relative and jobs.git_source is None and jobs.workspace_root:
            return f"{jobs.workspace_root}/{p}"
        return p

    if task.notebook is not None:
        return NotebookCode(path=path(task.notebook), parameters=params)
    if task.python_script is not None:
        return PythonScriptCode(path=path(task.python_script), parameters=params)
    wheel = task.python_wheel
    assert wheel is not None
    return PythonWheelCode(package_name=wheel.package_name, entry_point=wheel.entry_point, wheel=wheel.wheel,
                           parameters=params)


def job_props(scope: Construct, target: ProjectTarget, kind: str, job: JobBase) -> tuple[MlJobProps, str]:
    """The shared part of a job's props, and the compute key its code tasks use."""
    jobs = target.project.jobs
    env = target.env
    s = jobs.resolve(job)
    assert s.compute is not None  # unknown profiles are config errors
    clusters, environments, compute_key = _compute(scope, target, s.compute_name, s.compute)
    helpers = _helpers()
    run_as = None
    if s.run_as:
        run_as = helpers.principals(target, s.run_as, scope)[0]
    g = jobs.git_source
    schedule = trigger = continuous = None
    if job.schedule is not None:
        schedule = ScheduleSpec(cron=job.schedule.cron, timezone=job.schedule.timezone or jobs.timezone,
                                paused=_paused(env, job.schedule.paused))
    if job.trigger is not None:
        t = job.trigger
        timing = t.table_update or t.file_arrival
        trigger = TriggerSpec(
            table_update=tuple(qualify(target, n) for n in t.table_update.tables) if t.table_update else None,
            table_condition=t.table_update.condition if t.table_update else "ANY_UPDATED",
            file_arrival_url=t.file_arrival.url if t.file_arrival else None,
            periodic=(t.periodic.interval, t.periodic.unit) if t.periodic else None,
            min_time_between_triggers_seconds=timing.min_time_between_triggers_seconds if timing else None,
            wait_after_last_change_seconds=timing.wait_after_last_change_seconds if timing else None,
            paused=_paused(env, t.paused))
    if job.continuous is not None:
        continuous = ContinuousSpec(
            paused=_paused(env, job.continuous.paused),
            task_retry_mode=job.continuous.task_retry_mode)
    props = MlJobProps(
        name=job_name(target, kind, job),
        description=job.description or f"{target.project.name}: {kind.replace('_', ' ')} ({env.name})",
        job_clusters=clusters,
        environments=environments,
        git_source=GitSourceSpec(url=g.url, provider=g.resolved_provider, branch=g.branch, tag=g.tag,
                                 commit=g.commit) if g else None,
        schedule=schedule, trigger=trigger, continuous=continuous,
        notifications=_notifications(s.notifications),
        health=s.health,
        timeout_seconds=s.timeout_seconds,
        max_concurrent_runs=s.max_concurrent_runs,
        queue=s.queue,
        edit_mode=s.edit_mode,
        run_as=run_as,
        permissions=helpers.role_levels(target, s.permissions, JOB_LEVEL_RANK, scope),
        tags=job_tags(target, s),
        retries=RetrySpec(max_retries=s.max_retries, min_retry_interval_millis=s.min_retry_interval_millis,
                          retry_on_timeout=s.retry_on_timeout),
    )
    return props, compute_key


# --------------------------------------------------------------------------- jobs


def add_project_jobs(scope: Construct, target: ProjectTarget,
                     pipelines: dict[str, str] | None = None) -> dict[str, Construct]:
    """The project's enabled jobs under ``scope`` (ProjectUnits), keyed by job type.
    ``pipelines``: task key -> pipeline id the feature engineering job runs first (docs/pipelines.md)."""
    helpers = _helpers()
    jobs = target.project.jobs
    env_name = target.env.name
    model = (f"{target.env.catalog.name}.{helpers.model_schema(target)}.{helpers.model_name(target)}")
    built: dict[str, Construct] = {}
    enabled = dict(jobs.enabled_jobs())

    if (fe := enabled.get("feature_engineering")) is not None:
        base, key = job_props(scope, target, "feature_engineering", fe)
        tables = tuple(FeatureTableSpec(
            key=name,
            full_name=qualify(target, f"{t.schema_name}.{name}" if t.schema_name else name),
            code=code(jobs, t.task or fe.task, {**fe.parameters, **t.parameters}),
            input_table=qualify(target, t.input_table) if t.input_table else None,
            primary_keys=tuple(t.primary_keys), timestamp_column=t.timestamp_column,
        ) for name, t in sorted(fe.tables.items()))
        built["feature_engineering"] = FeatureEngineeringJob(scope, "feature_engineering_job", FeatureEngineeringJobProps(
            job=base, env_name=env_name, tables=tables, compute_key=key, pipelines=pipelines or {}))

    if (tr := enabled.get("training")) is not None:
        base, key = job_props(scope, target, "training", tr)
        v = tr.validation
        built["training"] = ModelTrainingJob(scope, "training_job", ModelTrainingJobProps(
            job=base, env_name=env_name, model_name=model, experiment_path=helpers.experiment_path(target),
            train=code(jobs, tr.tasks.train, tr.parameters),
            validate=code(jobs, tr.tasks.validate_, tr.parameters),
            deploy=code(jobs, tr.tasks.deploy, tr.parameters),
            compute_key=key,
            training_data=qualify(target, tr.training_data) if tr.training_data else None,
            validation_mode=v.mode, validation_thresholds=v.thresholds, model_type=v.model_type,
            targets=v.targets, baseline_comparison=v.baseline_comparison,
            validation_data=qualify(target, v.data) if v.data else None,
        ))

    if (bi := enabled.get("batch_inference")) is not None:
        base, key = job_props(scope, target, "batch_inference", bi)
        built["batch_inference"] = BatchInferenceJob(scope, "batch_inference_job", BatchInferenceJobProps(
            job=base, env_name=env_name, model_name=model, input_table=qualify(target, bi.input_table),
            output_table=predictions_table(target), code=code(jobs, bi.task, bi.parameters), compute_key=key))

    if (rt := enabled.get("retraining")) is not None:
        training = built["training"]  # config guarantees it (jobs_problems)
        base, key = job_props(scope, target, "retraining", rt)
        drift = rt.drift
        built["retraining"] = RetrainingJob(scope, "retraining_job", RetrainingJobProps(
            job=base, env_name=env_name, model_name=model,
            drift_metrics_table=qualify(target, drift.table) if drift.table else (
                monitor_drift_table(target) or default_drift_table(target)),  # docs/monitoring.md
            metric_column=drift.metric, threshold=drift.threshold, comparison=drift.comparison,
            training_job_id=training.job_id,  # type: ignore[attr-defined]
            code=code(jobs, rt.task, rt.parameters), compute_key=key))
    return built

"""Compose a project's ML workflow jobs, and an environment's cluster policies, from config.

The same concept as ``platform_config.jobs`` (the config) and ``databricks_spec.rules.jobs``
(the provider rules), seen from the stacks.

Decides WHICH jobs exist and maps resolved values (resolution.project: names, tags,
tables, principals, paused flags, policy references) to construct props; the
constructs in mlops_constructs decide HOW each is built. Construct ids come
from job types and config names ("training_job", "policy_ml-jobs"), never from
list positions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping

from constructs import Construct

from mlops_constructs.batch_inference_job import BatchInferenceJob, BatchInferenceJobProps
from mlops_constructs.cluster_policy import ClusterPolicy, ClusterPolicyProps
from mlops_constructs.feature_engineering_job import (FeatureEngineeringJob, FeatureEngineeringJobProps,
                                                      FeatureTableSpec)
from mlops_constructs.job import (Code, ContinuousSpec, GitSourceSpec, JobClusterSpec, MlJobProps, NotebookCode,
                                  NotificationsSpec, PythonScriptCode, PythonWheelCode, RetrySpec, ScheduleSpec,
                                  ServerlessEnvSpec, TargetsSpec, TriggerSpec)
from mlops_constructs.retraining_job import RetrainingJob, RetrainingJobProps
from mlops_constructs.training_job import ModelTrainingJob, ModelTrainingJobProps
from mlops_constructs.unit import FlatUnit
from platform_config import EnvironmentConfig
from platform_config.jobs import ComputeProfileConfig, JobsConfig, NotificationsConfig, TaskCodeConfig, task_codes
from resolution import PolicyRef, ResolvedEnvironment, ResolvedProject
from resolution.jobs import ResolvedJob
from stacks.code import DeliveredCode
from stacks.located import configured_at
from stacks.refs import PrincipalRefs, StackRefs

#: Construct id of the container holding an environment's created cluster policies.
POLICIES_ID = "cluster_policies"


# --------------------------------------------------------------------------- cluster policies


def add_cluster_policies(stack: Construct, env: ResolvedEnvironment,
                         principals: PrincipalRefs) -> dict[str, ClusterPolicy]:
    """The environment's created cluster policies, under one container (id 'cluster_policies'),
    by key; ``principals`` maps their CAN_USE members (the platform's, in the same stack)."""
    if not env.cluster_policies:
        return {}
    container = FlatUnit(stack, POLICIES_ID)
    out = {}
    for key, policy in env.cluster_policies.items():
        with configured_at(env, ("compute", "cluster_policies", key)):
            out[key] = ClusterPolicy(FlatUnit(container, key), "policy", ClusterPolicyProps(
                name=policy.name,
                description=policy.description,
                definition=policy.definition,
                policy_family_id=policy.policy_family_id,
                policy_family_definition_overrides=policy.policy_family_definition_overrides,
                max_clusters_per_user=policy.max_clusters_per_user,
                permissions=principals.levels(policy.access),
            ))
    return out


def policy_lookups(scope: Construct, project: ResolvedProject, refs: StackRefs) -> dict[str, ClusterPolicy]:
    """The created environment policies ``project``'s jobs and pipelines use: the one created in this stack,
    or (per-project layout) a lookup by name under ``scope`` (id ``policy_<key>``) of the one the
    platform stack created. Call once per project, before its jobs and pipelines."""
    out = {}
    for ref in project.policy_refs:
        out[ref.key] = refs.cluster_policies.get(ref.key) or ClusterPolicy.from_name(
            scope, f"policy_{ref.key}", ref.name)
    return out


# --------------------------------------------------------------------------- props


def _compute(env: EnvironmentConfig, job: ResolvedJob, profile: ComputeProfileConfig,
             policies: Mapping[str, ClusterPolicy]
             ) -> tuple[tuple[JobClusterSpec, ...], tuple[ServerlessEnvSpec, ...], str]:
    name = job.settings.compute_name
    if profile.serverless is not None:
        key = f"{name}_env"
        return (), (ServerlessEnvSpec(key=key, environment_version=profile.serverless.environment_version,
                                      dependencies=tuple(profile.serverless.dependencies)),), key
    c = profile.cluster
    assert c is not None

    def node(value: Any) -> str | None:
        return value.get(env.cloud) if isinstance(value, dict) else value

    policy = job.cluster_policy
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
        policy_id=policies[policy.key].policy_id if isinstance(policy, PolicyRef) else policy,
    ),), (), key


def _targets(value: Any, destinations: Mapping[str, str]) -> TargetsSpec:
    """Destinations named by key become their ids (StackRefs.destinations); UUIDs stay as they are."""
    if not value:
        return TargetsSpec()
    return TargetsSpec(emails=tuple(value.emails), destinations=tuple(destinations.get(d, d) for d in value.destinations))


def notifications_spec(n: NotificationsConfig | None,
                       destinations: Mapping[str, str] | None = None) -> NotificationsSpec | None:
    """Config job notifications -> the construct's; shared by every job the platform builds
    (the ML jobs here, the pipeline jobs of stacks.pipelines). Destinations named by key become
    their ids (``destinations``: StackRefs.destinations)."""
    if n is None:
        return None
    t = destinations or {}
    return NotificationsSpec(
        on_start=_targets(n.on_start, t), on_success=_targets(n.on_success, t),
        on_failure=_targets(n.on_failure, t),
        on_duration_warning_threshold_exceeded=_targets(n.on_duration_warning_threshold_exceeded, t),
        no_alert_for_skipped_runs=n.no_alert_for_skipped_runs,
        no_alert_for_canceled_runs=n.no_alert_for_canceled_runs)


def shared_job_settings(job: Any, principals: PrincipalRefs,
                        destinations: Mapping[str, str] | None) -> dict[str, Any]:
    """The MlJobProps fields every job the platform builds takes from the project's shared ``jobs:``
    settings (``job.settings``) and its resolution: notifications (destinations by key become ids),
    health, timeout, edit mode, run_as, permissions and tags. ``job``: a ResolvedJob or a
    ResolvedPipelineJob (stacks.pipelines)."""
    s = job.settings
    return dict(
        notifications=notifications_spec(s.notifications, destinations),
        health=s.health,
        timeout_seconds=s.timeout_seconds,
        edit_mode=s.edit_mode,
        run_as=principals.principal(job.run_as) if job.run_as is not None else None,
        permissions=principals.levels(job.permissions),
        tags=dict(job.tags),
    )


def code(jobs: JobsConfig, task: TaskCodeConfig, extra: dict[str, str], delivered: DeliveredCode | None = None,
         serverless: bool = False) -> Code:
    """Config task code -> construct code; job parameters first, the task's own win.

    With a ``workspace`` code source (``delivered``, stacks.code) a relative path becomes a token of
    the deployed notebook's path or file's /Workspace path (the config check guarantees it exists);
    with a ``volume`` source a wheel task without ``wheel`` installs its package's uploaded wheel
    (on serverless compute through the environment's dependencies instead: job_props)."""
    params = {**extra, **task.parameters}

    def path(p: str, notebook: bool) -> str:
        if task.relative and delivered is not None and delivered.source == "workspace":
            found = delivered.notebook_path(p) if notebook else delivered.file_path(p)
            assert found is not None, p  # platform_config.code_folder checked every task path
            return found
        if task.relative and jobs.git_source is None and jobs.workspace_root:
            return f"{jobs.workspace_root}/{p}"
        return p

    source = "WORKSPACE" if delivered is not None and delivered.source == "workspace" and task.relative else None
    if task.notebook is not None:
        return NotebookCode(path=path(task.notebook, True), source=source, parameters=params)
    if task.python_script is not None:
        return PythonScriptCode(path=path(task.python_script, False), source=source, parameters=params)
    wheel = task.python_wheel
    assert wheel is not None
    whl = wheel.wheel
    if whl is None and delivered is not None and delivered.source == "volume" and not serverless:
        whl = delivered.wheel_path(wheel.package_name)
    return PythonWheelCode(package_name=wheel.package_name, entry_point=wheel.entry_point, wheel=whl,
                           parameters=params)


def _wheel_dependencies(job: ResolvedJob, delivered: DeliveredCode | None) -> tuple[str, ...]:
    """Uploaded wheels a serverless job installs (its wheel tasks' packages), as environment dependencies."""
    if delivered is None or delivered.source != "volume":
        return ()
    out = []
    for _, task in task_codes(job.config):
        w = task.python_wheel
        if w is not None and w.wheel is None and (found := delivered.wheel_path(w.package_name)) is not None:
            out.append(found)
    return tuple(dict.fromkeys(out))


def job_props(project: ResolvedProject, job: ResolvedJob, principals: PrincipalRefs,
              policies: Mapping[str, ClusterPolicy],
              destinations: Mapping[str, str] | None = None,
              delivered: DeliveredCode | None = None) -> tuple[MlJobProps, str]:
    """The shared part of a job's props, and the compute key its code tasks use. With a workspace
    code source (``delivered``) the job has no git_source: its relative paths were deployed."""
    env = project.target.env
    jobs = project.target.project.jobs
    cfg, s = job.config, job.settings
    assert s.compute is not None  # unknown profiles are config errors
    clusters, environments, compute_key = _compute(env, job, s.compute, policies)
    wheels = _wheel_dependencies(job, delivered) if environments else ()
    if wheels:
        environments = tuple(replace(e, dependencies=tuple(e.dependencies) + wheels) for e in environments)
    g = jobs.git_source if delivered is None or delivered.source != "workspace" else None
    schedule = trigger = continuous = None
    if cfg.schedule is not None:
        schedule = ScheduleSpec(cron=cfg.schedule.cron, timezone=cfg.schedule.timezone or jobs.timezone,
                                paused=bool(job.schedule_paused))
    if cfg.trigger is not None:
        t = cfg.trigger
        timing = t.table_update or t.file_arrival
        trigger = TriggerSpec(
            table_update=job.trigger_tables if t.table_update else None,
            table_condition=t.table_update.condition if t.table_update else "ANY_UPDATED",
            file_arrival_url=t.file_arrival.url if t.file_arrival else None,
            periodic=(t.periodic.interval, t.periodic.unit) if t.periodic else None,
            min_time_between_triggers_seconds=timing.min_time_between_triggers_seconds if timing else None,
            wait_after_last_change_seconds=timing.wait_after_last_change_seconds if timing else None,
            paused=bool(job.trigger_paused))
    if cfg.continuous is not None:
        continuous = ContinuousSpec(paused=bool(job.continuous_paused),
                                    task_retry_mode=cfg.continuous.task_retry_mode)
    props = MlJobProps(
        name=job.name,
        description=job.description,
        job_clusters=clusters,
        environments=environments,
        git_source=GitSourceSpec(url=g.url, provider=g.resolved_provider, branch=g.branch, tag=g.tag,
                                 commit=g.commit) if g else None,
        schedule=schedule, trigger=trigger, continuous=continuous,
        max_concurrent_runs=s.max_concurrent_runs,
        queue=s.queue,
        **shared_job_settings(job, principals, destinations),
        retries=RetrySpec(max_retries=s.max_retries, min_retry_interval_millis=s.min_retry_interval_millis,
                          retry_on_timeout=s.retry_on_timeout),
    )
    return props, compute_key


# --------------------------------------------------------------------------- jobs


def add_project_jobs(scope: Construct, project: ResolvedProject, refs: StackRefs,
                     policies: Mapping[str, ClusterPolicy],
                     pipelines: Mapping[str, str] | None = None,
                     delivered: DeliveredCode | None = None) -> dict[str, Construct]:
    """The project's enabled jobs under ``scope`` (ProjectUnits), keyed by job type;
    ``policies``: the created cluster policies they use (policy_lookups); ``pipelines``: task
    key -> pipeline id the feature engineering job runs first (docs/pipelines.md); ``delivered``:
    the project's code delivery (stacks.code; docs/code-delivery.md)."""
    project_jobs = project.target.project.jobs
    env_name = project.target.env.name
    model = project.model.full_name
    tables = project.tables
    built: dict[str, Construct] = {}
    resolved = project.jobs

    def props(kind: str) -> tuple[MlJobProps, str]:
        return job_props(project, resolved[kind], refs.principals, policies, refs.destinations, delivered)

    def code_for(kind: str) -> Callable[..., Code]:
        serverless = resolved[kind].settings.compute is not None and resolved[kind].settings.compute.serverless is not None

        def build(_jobs: JobsConfig, task: TaskCodeConfig, extra: dict[str, str]) -> Code:
            return code(_jobs, task, extra, delivered, serverless)
        return build

    jobs = project_jobs

    if (fe := resolved.get("feature_engineering")) is not None:
        cfg = fe.config
        base, key = props("feature_engineering")
        feature_tables = tuple(FeatureTableSpec(
            key=name,
            full_name=tables.feature_tables[name].full_name,
            code=code_for("feature_engineering")(jobs, t.task or cfg.task, {**cfg.parameters, **t.parameters}),
            input_table=tables.feature_tables[name].input_table,
            primary_keys=tuple(t.primary_keys), timestamp_column=t.timestamp_column,
            **_governance(project, name),
        ) for name, t in sorted(cfg.tables.items()))  # type: ignore[attr-defined]
        with configured_at(project, ("jobs", "feature_engineering")):
            built["feature_engineering"] = FeatureEngineeringJob(scope, "feature_engineering_job", FeatureEngineeringJobProps(
                job=base, env_name=env_name, tables=feature_tables, compute_key=key, pipelines=dict(pipelines or {})))

    if (tr := resolved.get("training")) is not None:
        cfg = tr.config
        base, key = props("training")
        v = cfg.validation  # type: ignore[attr-defined]
        with configured_at(project, ("jobs", "training")):
            built["training"] = ModelTrainingJob(scope, "training_job", ModelTrainingJobProps(
                job=base, env_name=env_name, model_name=model, experiment_path=project.experiment.path,
                train=code_for("training")(jobs, cfg.tasks.train, cfg.parameters),  # type: ignore[attr-defined]
                validate=code_for("training")(jobs, cfg.tasks.validate_, cfg.parameters),  # type: ignore[attr-defined]
                deploy=code_for("training")(jobs, cfg.tasks.deploy, cfg.parameters),  # type: ignore[attr-defined]
                compute_key=key,
                training_data=tables.training_data,
                validation_mode=v.mode, validation_thresholds=v.thresholds, model_type=v.model_type,
                targets=v.targets, baseline_comparison=v.baseline_comparison,
                validation_data=tables.validation_data,
            ))

    if (bi := resolved.get("batch_inference")) is not None:
        cfg = bi.config
        base, key = props("batch_inference")
        with configured_at(project, ("jobs", "batch_inference")):
            built["batch_inference"] = BatchInferenceJob(scope, "batch_inference_job", BatchInferenceJobProps(
                job=base, env_name=env_name, model_name=model, input_table=tables.batch_input,
                output_table=tables.predictions, code=code_for("batch_inference")(jobs, cfg.task, cfg.parameters), compute_key=key))  # type: ignore[attr-defined]

    if (rt := resolved.get("retraining")) is not None:
        cfg = rt.config
        training = built["training"]  # config guarantees it (platform_config.environment_rules)
        base, key = props("retraining")
        drift = cfg.drift  # type: ignore[attr-defined]
        with configured_at(project, ("jobs", "retraining")):
            built["retraining"] = RetrainingJob(scope, "retraining_job", RetrainingJobProps(
                job=base, env_name=env_name, model_name=model,
                drift_metrics_table=tables.drift,  # docs/monitoring.md
                metric_column=drift.metric, threshold=drift.threshold, comparison=drift.comparison,
                training_job_id=training.job_id,  # type: ignore[attr-defined]
                code=code_for("retraining")(jobs, cfg.task, cfg.parameters), compute_key=key))  # type: ignore[attr-defined]
    return built


def _governance(project: ResolvedProject, name: str) -> dict:
    """Description and tags of a governed feature table, for the task that creates it
    (resolution.features; docs/features.md). Ungoverned tables: nothing."""
    t = project.features.tables.get(name)
    return {"description": t.description, "tags": dict(t.tags)} if t is not None else {}

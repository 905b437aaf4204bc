"""MlJob: a Databricks job (databricks_job) for ML workflows, with its permissions.

Everything a job needs is a typed prop: tasks (notebook, Python script,
Python wheel, condition, run-job; ``mlops_constructs.job_tasks``), shared compute
(job clusters or serverless environments), code source (git or workspace),
schedule / trigger / continuous, notifications, health rules, retries
(``mlops_constructs.job_specs``), run_as, permissions, tags.

The same concept as ``platform_config.jobs`` (the ``jobs:`` config) seen from the construct
layer; both check the provider rules of ``databricks_spec.rules.jobs``.

Plan stability: the provider treats ``task`` as an ordered list, so tasks are
emitted sorted by task_key and each task's depends_on sorted by task_key
(provider docs: job, "Example Usage" and "depends_on Configuration Block";
terraform-provider-databricks issues #3126, #4159). Job clusters,
environments, parameter maps and access controls are sorted too, so YAML
order never changes the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from mlops_engine import Token
from mlops_engine.databricks import (
    Job, JobContinuous, JobEmailNotifications, JobEnvironment, JobEnvironmentSpec,
    JobGitSource, JobHealth, JobHealthRules, JobJobCluster, JobJobClusterNewCluster,
    JobJobClusterNewClusterAutoscale, JobNotificationSettings, JobQueue, JobRunAs,
    JobSchedule, JobTask, JobTaskConditionTask, JobTaskDependsOn, JobTaskLibrary,
    JobTaskNotebookTask, JobTaskPipelineTask, JobTaskPythonWheelTask, JobTaskRunJobTask, JobTaskSparkPythonTask,
    JobTrigger, JobTriggerFileArrival, JobTriggerPeriodic, JobTriggerTableUpdate,
    JobWebhookNotifications, JobWebhookNotificationsOnDurationWarningThresholdExceeded,
    JobWebhookNotificationsOnFailure, JobWebhookNotificationsOnStart,
    JobWebhookNotificationsOnSuccess
)

from databricks_spec.enums import CONDITION_OPS, EditMode, HealthMetric
from databricks_spec.formats import is_relative_path
from databricks_spec.permissions import JOB_LEVELS, JobLevel
from databricks_spec.quartz import validate_quartz, validate_timezone
from databricks_spec.rules import Finding, jobs as rules
from mlops_constructs.rule_adapter import known, refuse
from mlops_constructs.job_specs import (ContinuousSpec, GitSourceSpec, JobClusterSpec, NotificationsSpec, RetrySpec,
                                        ScheduleSpec, ServerlessEnvSpec, TargetsSpec, TriggerSpec)
from mlops_constructs.job_tasks import (Action, Code, ConditionCode, DependencySpec, NotebookCode, PythonScriptCode,
                                        PipelineCode, PythonWheelCode, RunJobCode, TaskSpec,
                                        with_parameters)
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope

__all__ = [  # the job's props, importable from here as from their modules
    "Action", "CONDITION_OPS", "Code", "ConditionCode", "ContinuousSpec", "DependencySpec", "GitSourceSpec",
    "JobClusterSpec", "MlJob", "MlJobProps", "NotebookCode", "NotificationsSpec", "PythonScriptCode",
    "PipelineCode", "PythonWheelCode", "RetrySpec", "RunJobCode", "ScheduleSpec", "ServerlessEnvSpec", "TargetsSpec", "TaskSpec",
    "TriggerSpec", "with_parameters",
]

_EVENTS = ("on_start", "on_success", "on_failure", "on_duration_warning_threshold_exceeded")
_KIND = {NotebookCode: "notebook", PythonScriptCode: "python_script", PythonWheelCode: "python_wheel",
         ConditionCode: "condition", RunJobCode: "run_job", PipelineCode: "pipeline"}


def _first(*values):
    return next((v for v in values if v is not None), None)


def _sorted(mapping: Mapping[str, str]) -> dict[str, str]:
    return {k: mapping[k] for k in sorted(mapping)}


def _pause(paused: bool) -> str:
    return "PAUSED" if paused else "UNPAUSED"


@dataclass(frozen=True, kw_only=True)
class MlJobProps:
    name: str
    """Job name (already carrying the environment by the naming rule)."""
    tasks: tuple[TaskSpec, ...] = ()
    """The tasks; at least one. Default: none (job-type constructs fill them in)."""
    retries: RetrySpec = RetrySpec()
    """Retry policy for code tasks that set none themselves. Default: no retries."""
    description: str | None = None
    """Default: none."""
    job_clusters: tuple[JobClusterSpec, ...] = ()
    """Default: none."""
    environments: tuple[ServerlessEnvSpec, ...] = ()
    """Default: none."""
    git_source: GitSourceSpec | None = None
    """Default: none (workspace paths)."""
    schedule: ScheduleSpec | None = None
    """Default: none. At most one of schedule, trigger, continuous."""
    trigger: TriggerSpec | None = None
    """Default: none."""
    continuous: ContinuousSpec | None = None
    """Default: none."""
    notifications: NotificationsSpec | None = None
    """Default: none."""
    health: Mapping[HealthMetric, int] = field(default_factory=dict)
    """Metric -> threshold (GREATER_THAN). Default: none."""
    timeout_seconds: int | None = None
    """Default: no timeout."""
    max_concurrent_runs: int = 1
    """Default: 1."""
    queue: bool = True
    """Default: true."""
    edit_mode: EditMode | None = None
    """EDITABLE or UI_LOCKED. Default: unset (EDITABLE)."""
    run_as: Principal | None = None
    """A user or service principal. Default: unset (the owner)."""
    permissions: Mapping[Principal, JobLevel] = field(default_factory=dict)
    """Principal -> CAN_VIEW / CAN_MANAGE_RUN / CAN_MANAGE / IS_OWNER. Default: none
    (no permissions resource; the deployer owns the job)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


class MlJob(FlatUnit):
    """databricks_job ("Resource") + databricks_permissions ("Permissions") when permissions are set."""

    def __init__(self, scope: Scope, id: str, props: MlJobProps):
        super().__init__(scope, id)
        self._check(props)
        clusters = {c.key: c for c in props.job_clusters}
        envs = {e.key: e for e in props.environments}
        used_envs = {t.compute_key for t in props.tasks
                     if t.compute_key in envs and isinstance(t.action, (PythonScriptCode, PythonWheelCode))}
        self.resource = Job(*self.at("Resource"),
            name=props.name,
            description=props.description,
            task=[self._task(t, props, clusters) for t in sorted(props.tasks, key=lambda t: t.key)],
            job_cluster=[self._cluster(clusters[k]) for k in sorted(clusters)] or None,
            environment=[JobEnvironment(environment_key=k, spec=JobEnvironmentSpec(
                environment_version=envs[k].environment_version,
                dependencies=list(envs[k].dependencies) or None)) for k in sorted(used_envs)] or None,
            git_source=self._git(props.git_source),
            schedule=JobSchedule(quartz_cron_expression=validate_quartz(props.schedule.cron),
                                 timezone_id=props.schedule.timezone,
                                 pause_status=_pause(props.schedule.paused))
            if props.schedule else None,
            trigger=self._trigger(props.trigger),
            continuous=JobContinuous(pause_status=_pause(props.continuous.paused),
                                     task_retry_mode=props.continuous.task_retry_mode)
            if props.continuous else None,
            email_notifications=self._emails(props.notifications),
            webhook_notifications=self._webhooks(props.notifications),
            notification_settings=JobNotificationSettings(
                no_alert_for_skipped_runs=props.notifications.no_alert_for_skipped_runs,
                no_alert_for_canceled_runs=props.notifications.no_alert_for_canceled_runs)
            if props.notifications else None,
            health=JobHealth(rules=[JobHealthRules(metric=m, op="GREATER_THAN", value=props.health[m])
                                    for m in sorted(props.health)]) if props.health else None,
            timeout_seconds=props.timeout_seconds,
            max_concurrent_runs=props.max_concurrent_runs,
            queue=JobQueue(enabled=props.queue),
            edit_mode=props.edit_mode,
            run_as=JobRunAs(**{props.run_as.kind: props.run_as.name}) if props.run_as else None,
            tags=_sorted(props.tags) or None,
        )
        self.job_id = self.resource.id  # one jsii read, reused below
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="job_id", object_id=self.job_id,
                access=dict(props.permissions), valid_levels=frozenset(JOB_LEVELS)))

    @property
    def url(self) -> str:
        """The job's URL (a token), read from the resource only when used (a jsii round trip)."""
        return self.resource.url

    # ------------------------------------------------------------------ checks

    def _check(self, p: MlJobProps) -> None:
        """The provider's job rules (databricks_spec.rules.jobs) on the props; tokens are skipped."""
        refuse(self, rules.duplicate_keys([t.key for t in p.tasks]),
               rules.duplicate_keys([c.key for c in p.job_clusters] + [e.key for e in p.environments],
                                    "job cluster or environment key"),
               rules.task_graph({t.key: [d.task_key for d in t.deps] for t in p.tasks}))
        by_key = {t.key: t for t in p.tasks}
        env_keys = {e.key for e in p.environments}
        compute_keys = {c.key for c in p.job_clusters} | env_keys
        for t in p.tasks:
            a = t.action
            found: list[Finding] = rules.task_compute(_KIND[type(a)], t.compute_key, compute_keys)
            for d in t.deps:
                found += rules.dependency_outcome(d.outcome, isinstance(by_key[d.task_key].action, ConditionCode))
            found += rules.run_if(t.run_if)
            if isinstance(a, ConditionCode):
                found += rules.condition_op(a.op)
            if isinstance(a, (NotebookCode, PythonScriptCode, PythonWheelCode)):
                found += rules.parameter_names(a.parameters)
            if isinstance(a, (NotebookCode, PythonScriptCode)) and known(a.path):
                found += rules.relative_path(a.path, p.git_source is not None)
            if isinstance(a, PythonWheelCode):
                found += rules.serverless_wheel(a.wheel, t.compute_key in env_keys,
                                                f"the dependencies of environment {t.compute_key!r}")
            refuse(self, [f.at("task", t.key) for f in found])

        refuse(self, rules.run_modes(p.schedule is not None, p.trigger is not None, p.continuous is not None))
        if p.schedule is not None:
            validate_quartz(p.schedule.cron)
            validate_timezone(p.schedule.timezone)
        if p.trigger is not None:
            refuse(self, rules.trigger_kinds(bool(p.trigger.table_update), bool(p.trigger.file_arrival_url),
                                             bool(p.trigger.periodic)),
                   [Finding(("trigger", "table_update"), f"table_update table {name!r} must be catalog.schema.table",
                            rules.job_doc("trigger Configuration Block"))
                    for name in p.trigger.table_update or () if not is_full_name(name)])
            if p.trigger.file_arrival_url and known(p.trigger.file_arrival_url):
                refuse(self, [f.at("trigger", "file_arrival") for f in rules.file_arrival_url(p.trigger.file_arrival_url)])
        if p.continuous is not None:
            refuse(self, rules.continuous_concurrency(p.max_concurrent_runs))
        refuse(self, rules.max_concurrent_runs(p.max_concurrent_runs))
        if p.git_source is not None:
            g = p.git_source
            refuse(self, [f.at("git_source") for f in rules.git_ref(g.branch, g.tag, g.commit)])
        refuse(self, rules.health_metrics(p.health))
        n = p.notifications
        if n is not None:
            for event in _EVENTS:
                targets = getattr(n, event)
                refuse(self, [f.at("notifications", event) for f in
                              rules.notification_destinations([d for d in targets.destinations if known(d)])
                              + rules.emails([e for e in targets.emails if known(e)])])
            warn = n.on_duration_warning_threshold_exceeded
            refuse(self, rules.duration_warning(bool(warn.emails or warn.destinations), p.health))
        if p.run_as is not None:
            refuse(self, [f.at("run_as") for f in rules.run_as_identity(
                [(p.run_as.kind, p.run_as.name)], f"principal {p.run_as.name!r}")])
        refuse(self, [f.at("permissions") for f in rules.one_owner(
            {pr.key: level for pr, level in p.permissions.items()})])
        for pr, level in p.permissions.items():
            if level == "IS_OWNER":
                refuse(self, [f.at("permissions", pr.key) for f in rules.owner_identity(
                    [(pr.kind, pr.name)], f"principal {pr.name!r}")])
        refuse(self, rules.tag_count(p.tags))

    # ------------------------------------------------------------------ blocks

    @staticmethod
    def _source(path: str, source: str | None, git: GitSourceSpec | None) -> str:
        if source is not None:
            return source
        return "GIT" if is_relative_path(path) and git is not None else "WORKSPACE"

    def _task(self, t: TaskSpec, p: MlJobProps, clusters: dict[str, JobClusterSpec]) -> JobTask:
        a = t.action
        kwargs: dict = {}
        on_cluster = t.compute_key in clusters
        if isinstance(a, NotebookCode):
            kwargs["notebook_task"] = JobTaskNotebookTask(
                notebook_path=a.path, source=self._source(a.path, a.source, p.git_source),
                base_parameters=_sorted(a.parameters) or None)
        elif isinstance(a, PythonScriptCode):
            kwargs["spark_python_task"] = JobTaskSparkPythonTask(
                python_file=a.path, source=self._source(a.path, a.source, p.git_source),
                parameters=[f"--{k}={a.parameters[k]}" for k in sorted(a.parameters)] or None)
        elif isinstance(a, PythonWheelCode):
            kwargs["python_wheel_task"] = JobTaskPythonWheelTask(
                package_name=a.package_name, entry_point=a.entry_point,
                named_parameters=_sorted(a.parameters) or None)
            if a.wheel and on_cluster:
                kwargs["library"] = [JobTaskLibrary(whl=a.wheel)]
        elif isinstance(a, ConditionCode):
            kwargs["condition_task"] = JobTaskConditionTask(left=a.left, op=a.op, right=a.right)
        elif isinstance(a, RunJobCode):
            job_id = int(a.job_id) if a.job_id.isdigit() else Token.as_number(a.job_id)
            kwargs["run_job_task"] = JobTaskRunJobTask(job_id=job_id,
                                                       job_parameters=_sorted(a.job_parameters) or None)
        elif isinstance(a, PipelineCode):
            kwargs["pipeline_task"] = JobTaskPipelineTask(pipeline_id=a.pipeline_id, full_refresh=a.full_refresh)
        if t.compute_key is not None:
            if on_cluster:
                kwargs["job_cluster_key"] = t.compute_key
            elif isinstance(a, (PythonScriptCode, PythonWheelCode)):
                # Notebook tasks on serverless take no environment_key: they use notebook environments.
                kwargs["environment_key"] = t.compute_key
        code_task = isinstance(a, (NotebookCode, PythonScriptCode, PythonWheelCode))
        return JobTask(
            task_key=t.key,
            description=t.description,
            depends_on=[JobTaskDependsOn(task_key=d.task_key, outcome=d.outcome) for d in t.deps] or None,
            max_retries=_first(t.max_retries, p.retries.max_retries) if code_task else None,
            min_retry_interval_millis=_first(t.min_retry_interval_millis, p.retries.min_retry_interval_millis)
            if code_task else None,
            retry_on_timeout=_first(t.retry_on_timeout, p.retries.retry_on_timeout) if code_task else None,
            timeout_seconds=t.timeout_seconds,
            run_if=t.run_if,
            **kwargs,
        )

    @staticmethod
    def _cluster(c: JobClusterSpec) -> JobJobCluster:
        autoscale = None
        if c.num_workers is None:
            low, high = c.autoscale or (1, 2)
            autoscale = JobJobClusterNewClusterAutoscale(min_workers=low, max_workers=high)
        return JobJobCluster(job_cluster_key=c.key, new_cluster=JobJobClusterNewCluster(
            spark_version=c.spark_version,
            node_type_id=c.node_type_id,
            driver_node_type_id=c.driver_node_type_id,
            num_workers=c.num_workers,
            autoscale=autoscale,
            data_security_mode=c.data_security_mode,
            custom_tags=_sorted(c.custom_tags) or None,
            spark_conf=_sorted(c.spark_conf) or None,
            spark_env_vars=_sorted(c.spark_env_vars) or None,
            policy_id=c.policy_id,
            apply_policy_default_values=True if c.policy_id else None,
        ))

    @staticmethod
    def _git(g: GitSourceSpec | None) -> JobGitSource | None:
        if g is None:
            return None
        return JobGitSource(url=g.url, provider=g.provider, branch=g.branch, tag=g.tag, commit=g.commit)

    @staticmethod
    def _trigger(t: TriggerSpec | None) -> JobTrigger | None:
        if t is None:
            return None
        timing = {"min_time_between_triggers_seconds": t.min_time_between_triggers_seconds,
                  "wait_after_last_change_seconds": t.wait_after_last_change_seconds}
        return JobTrigger(
            pause_status=_pause(t.paused),
            table_update=JobTriggerTableUpdate(table_names=sorted(t.table_update),
                                               condition=t.table_condition, **timing)
            if t.table_update else None,
            file_arrival=JobTriggerFileArrival(url=t.file_arrival_url, **timing) if t.file_arrival_url else None,
            periodic=JobTriggerPeriodic(interval=t.periodic[0], unit=t.periodic[1]) if t.periodic else None,
        )

    @staticmethod
    def _emails(n: NotificationsSpec | None) -> JobEmailNotifications | None:
        if n is None or not any(getattr(n, e).emails for e in _EVENTS):
            return None
        return JobEmailNotifications(**{e: sorted(set(getattr(n, e).emails)) or None for e in _EVENTS})

    @staticmethod
    def _webhooks(n: NotificationsSpec | None) -> JobWebhookNotifications | None:
        if n is None or not any(getattr(n, e).destinations for e in _EVENTS):
            return None
        blocks = {
            "on_start": JobWebhookNotificationsOnStart,
            "on_success": JobWebhookNotificationsOnSuccess,
            "on_failure": JobWebhookNotificationsOnFailure,
            "on_duration_warning_threshold_exceeded": JobWebhookNotificationsOnDurationWarningThresholdExceeded,
        }
        return JobWebhookNotifications(**{
            e: [cls(id=i) for i in sorted(set(getattr(n, e).destinations))] or None
            for e, cls in blocks.items()})

"""MlJob: a Databricks job (databricks_job) for ML workflows, with its permissions.

Everything a job needs is a typed prop: tasks (notebook, Python script,
Python wheel, condition, run-job), shared compute (job clusters or serverless
environments), code source (git or workspace), schedule / trigger /
continuous, notifications, health rules, retries, run_as, permissions, tags.

Plan stability: the provider treats ``task`` as an ordered list, so tasks are
emitted sorted by task_key and each task's depends_on sorted by task_key
(provider docs: job, "Example Usage" and "depends_on Configuration Block";
terraform-provider-databricks issues #3126, #4159). Job clusters,
environments, parameter maps and access controls are sorted too, so YAML
order never changes the JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Union

from mlops_engine import Token
from mlops_engine.databricks import (
    Job, JobContinuous, JobEmailNotifications, JobEnvironment, JobEnvironmentSpec,
    JobGitSource, JobHealth, JobHealthRules, JobJobCluster, JobJobClusterNewCluster,
    JobJobClusterNewClusterAutoscale, JobNotificationSettings, JobQueue, JobRunAs,
    JobSchedule, JobTask, JobTaskConditionTask, JobTaskDependsOn, JobTaskLibrary,
    JobTaskNotebookTask, JobTaskPythonWheelTask, JobTaskRunJobTask, JobTaskSparkPythonTask,
    JobTrigger, JobTriggerFileArrival, JobTriggerPeriodic, JobTriggerTableUpdate,
    JobWebhookNotifications, JobWebhookNotificationsOnDurationWarningThresholdExceeded,
    JobWebhookNotificationsOnFailure, JobWebhookNotificationsOnStart,
    JobWebhookNotificationsOnSuccess
)
from constructs import Construct

from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.uc_names import is_full_name
from databricks_spec.quartz import validate_quartz, validate_timezone

#: Job permission levels (provider docs: permissions, "Job usage").
JOB_LEVELS = frozenset({"CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"})
CONDITION_OPS = frozenset({"EQUAL_TO", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL",
                           "LESS_THAN", "LESS_THAN_OR_EQUAL"})
RUN_IF = frozenset({"ALL_SUCCESS", "AT_LEAST_ONE_SUCCESS", "NONE_FAILED", "ALL_DONE",
                    "AT_LEAST_ONE_FAILED", "ALL_FAILED"})
HEALTH_METRICS = frozenset({"RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES", "STREAMING_BACKLOG_RECORDS",
                            "STREAMING_BACKLOG_SECONDS", "STREAMING_BACKLOG_FILES"})
MAX_TAGS = 25
_TASK_KEY = re.compile(r"^[\w\-.]{1,100}$")
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_DOC = "provider docs: job"


def _first(*values):
    return next((v for v in values if v is not None), None)


def _sorted(mapping: Mapping[str, str]) -> dict[str, str]:
    return {k: mapping[k] for k in sorted(mapping)}


def _pause(paused: bool) -> str:
    return "PAUSED" if paused else "UNPAUSED"


def _relative(path: str) -> bool:
    """A repository path: not absolute (/Workspace/...) and not a URI (s3:/, dbfs:/, abfss://...)."""
    return not path.startswith("/") and not re.match(r"^[a-z0-9]+:/", path)


# --------------------------------------------------------------------------- task actions


@dataclass(frozen=True, kw_only=True)
class NotebookCode:
    path: str
    """Workspace path (absolute) or repository path (relative, with git source)."""
    source: str | None = None
    """GIT or WORKSPACE. Default: GIT for relative paths when the job has git_source, else WORKSPACE."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Notebook base_parameters. Default: none."""


@dataclass(frozen=True, kw_only=True)
class PythonScriptCode:
    path: str
    """Python file: workspace path, cloud URI, or repository path (relative)."""
    source: str | None = None
    """GIT or WORKSPACE. Default: as for notebooks."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Passed as sorted '--name=value' arguments. Default: none."""


@dataclass(frozen=True, kw_only=True)
class PythonWheelCode:
    package_name: str
    entry_point: str
    wheel: str | None = None
    """.whl path installed as a task library on job clusters. Default: none."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Named parameters. Default: none."""


@dataclass(frozen=True, kw_only=True)
class ConditionCode:
    """A condition task: compares two operands; dependants run on outcome "true" or "false"."""

    left: str
    op: str
    right: str


@dataclass(frozen=True, kw_only=True)
class RunJobCode:
    job_id: str
    """Id of the job to run (a token referencing its databricks_job keeps the dependency)."""
    job_parameters: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


Code = Union[NotebookCode, PythonScriptCode, PythonWheelCode]
Action = Union[NotebookCode, PythonScriptCode, PythonWheelCode, ConditionCode, RunJobCode]


def with_parameters(code: Code, platform: Mapping[str, str]) -> Code:
    """``code`` with the platform's parameters added; a clash with the code's own is an error."""
    clash = sorted(set(code.parameters) & set(platform))
    if clash:
        raise ValueError(f"parameter(s) {', '.join(clash)} are set by the platform and cannot be overridden")
    return replace(code, parameters={**code.parameters, **platform})


@dataclass(frozen=True, order=True)
class Dependency:
    task_key: str
    outcome: str | None = None
    """"true" / "false" for a dependency on a condition task. Default: none."""


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    key: str
    """Unique task_key."""
    action: Action
    depends_on: tuple[Dependency | str, ...] = ()
    """Upstream tasks (key or Dependency with outcome). Default: none."""
    compute_key: str | None = None
    """Key of a job cluster or serverless environment. Default: none: a notebook task runs on
    serverless with its notebook environment; Python script and wheel tasks need one;
    condition and run-job tasks take none."""
    description: str | None = None
    """Default: none."""
    max_retries: int | None = None
    """Default: no retries."""
    min_retry_interval_millis: int | None = None
    """Default: retry immediately."""
    retry_on_timeout: bool | None = None
    """Default: false."""
    timeout_seconds: int | None = None
    """Default: none."""
    run_if: str | None = None
    """Default: ALL_SUCCESS."""

    @property
    def deps(self) -> list[Dependency]:
        return sorted(d if isinstance(d, Dependency) else Dependency(d) for d in self.depends_on)


# --------------------------------------------------------------------------- compute


@dataclass(frozen=True, kw_only=True)
class JobClusterSpec:
    """A shared job cluster."""

    key: str
    spark_version: str
    node_type_id: str
    driver_node_type_id: str | None = None
    """Default: the worker node type."""
    num_workers: int | None = None
    """Fixed size; conflicts with autoscale. Default: autoscale."""
    autoscale: tuple[int, int] | None = None
    """(min_workers, max_workers). Default: (1, 2) when num_workers is unset."""
    data_security_mode: str | None = "SINGLE_USER"
    """Default: SINGLE_USER (the job's run-as identity; Unity Catalog capable)."""
    custom_tags: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    spark_conf: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    spark_env_vars: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    policy_id: str | None = None
    """Cluster policy id (policy defaults are applied). Default: none."""


@dataclass(frozen=True, kw_only=True)
class ServerlessEnvSpec:
    """A serverless environment (libraries for python_script / python_wheel tasks)."""

    key: str
    environment_version: str = "2"
    """Default: '2'."""
    dependencies: tuple[str, ...] = ()
    """pip requirement lines. Default: none."""


# --------------------------------------------------------------------------- when / who


@dataclass(frozen=True, kw_only=True)
class ScheduleSpec:
    cron: str
    """Quartz cron expression."""
    timezone: str = "UTC"
    """Default: UTC."""
    paused: bool = False
    """Default: false (UNPAUSED)."""


@dataclass(frozen=True, kw_only=True)
class TriggerSpec:
    """Exactly one of table_update / file_arrival / periodic."""

    table_update: tuple[str, ...] | None = None
    """Full table names (catalog.schema.table). Default: unset."""
    table_condition: str = "ANY_UPDATED"
    """Default: ANY_UPDATED."""
    file_arrival_url: str | None = None
    """Default: unset."""
    periodic: tuple[int, str] | None = None
    """(interval, unit HOURS/DAYS/WEEKS). Default: unset."""
    min_time_between_triggers_seconds: int | None = None
    """Default: unset."""
    wait_after_last_change_seconds: int | None = None
    """Default: unset."""
    paused: bool = False
    """Default: false."""


@dataclass(frozen=True, kw_only=True)
class ContinuousSpec:
    paused: bool = False
    """Default: false."""
    task_retry_mode: str = "NEVER"
    """Default: NEVER."""


@dataclass(frozen=True, kw_only=True)
class Targets:
    emails: tuple[str, ...] = ()
    """Default: none."""
    destinations: tuple[str, ...] = ()
    """Notification destination ids, at most 3. Default: none."""


@dataclass(frozen=True, kw_only=True)
class NotificationsSpec:
    on_start: Targets = Targets()
    """Default: nobody."""
    on_success: Targets = Targets()
    """Default: nobody."""
    on_failure: Targets = Targets()
    """Default: nobody."""
    on_duration_warning_threshold_exceeded: Targets = Targets()
    """Default: nobody. Needs a RUN_DURATION_SECONDS health rule."""
    no_alert_for_skipped_runs: bool = True
    """Default: true."""
    no_alert_for_canceled_runs: bool = False
    """Default: false."""


@dataclass(frozen=True, kw_only=True)
class GitSourceSpec:
    url: str
    provider: str
    branch: str | None = None
    """Set exactly one of branch, tag, commit. Default: unset."""
    tag: str | None = None
    """Default: unset."""
    commit: str | None = None
    """Default: unset."""


@dataclass(frozen=True, kw_only=True)
class RetrySpec:
    max_retries: int | None = None
    """-1 retries forever. Default: no retries."""
    min_retry_interval_millis: int | None = None
    """Default: retry immediately."""
    retry_on_timeout: bool | None = None
    """Default: false."""


_EVENTS = ("on_start", "on_success", "on_failure", "on_duration_warning_threshold_exceeded")


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
    health: Mapping[str, int] = field(default_factory=dict)
    """Metric -> threshold (GREATER_THAN). Default: none."""
    timeout_seconds: int | None = None
    """Default: no timeout."""
    max_concurrent_runs: int = 1
    """Default: 1."""
    queue: bool = True
    """Default: true."""
    edit_mode: str | None = None
    """EDITABLE or UI_LOCKED. Default: unset (EDITABLE)."""
    run_as: Principal | None = None
    """A user or service principal. Default: unset (the owner)."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_VIEW / CAN_MANAGE_RUN / CAN_MANAGE / IS_OWNER. Default: none
    (no permissions resource; the deployer owns the job)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


class MlJob(Construct):
    """databricks_job ("Resource") + databricks_permissions ("Permissions") when permissions are set."""

    def __init__(self, scope: Construct, id: str, props: MlJobProps):
        super().__init__(scope, id)
        self._where = self.node.path
        self._check(props)
        clusters = {c.key: c for c in props.job_clusters}
        envs = {e.key: e for e in props.environments}
        used_envs = {t.compute_key for t in props.tasks
                     if t.compute_key in envs and isinstance(t.action, (PythonScriptCode, PythonWheelCode))}
        self.resource = Job(
            self, "Resource",
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
                access=dict(props.permissions), valid_levels=JOB_LEVELS))

    @property
    def url(self) -> str:
        """The job's URL (a token), read from the resource only when used (a jsii round trip)."""
        return self.resource.url

    # ------------------------------------------------------------------ checks

    def _fail(self, message: str, section: str, doc: str = _DOC) -> None:
        raise ValueError(f"{self._where}: {message} ({doc}, '{section}')")

    def _check(self, p: MlJobProps) -> None:
        if not p.tasks:
            self._fail("a job needs at least one task", "task Configuration Block")
        keys = [t.key for t in p.tasks]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            self._fail(f"duplicate task_key {', '.join(dupes)}", "task Configuration Block")
        env_keys = {e.key for e in p.environments}
        compute_keys = [c.key for c in p.job_clusters] + [e.key for e in p.environments]
        if len(set(compute_keys)) != len(compute_keys):
            self._fail("job cluster and environment keys must be unique", "job_cluster Configuration Block")
        by_key = {t.key: t for t in p.tasks}
        for t in p.tasks:
            if not _TASK_KEY.match(t.key):
                self._fail(f"task_key {t.key!r} may only contain letters, digits, '_', '-' and '.' "
                           "(1-100 characters)", "task Configuration Block")
            for dep in t.deps:
                if dep.task_key not in by_key:
                    self._fail(f"task {t.key} depends on unknown task {dep.task_key}", "depends_on Configuration Block")
                if dep.outcome is not None:
                    if dep.outcome not in ("true", "false"):
                        self._fail(f"outcome must be 'true' or 'false', got {dep.outcome!r}",
                                   "depends_on Configuration Block")
                    if not isinstance(by_key[dep.task_key].action, ConditionCode):
                        self._fail(f"task {t.key}: outcome is only valid on a dependency on a condition task",
                                   "depends_on Configuration Block")
            if isinstance(t.action, (ConditionCode, RunJobCode)) and t.compute_key is not None:
                self._fail(f"task {t.key}: condition and run-job tasks take no compute", "task Configuration Block")
            if t.compute_key is not None and t.compute_key not in compute_keys:
                self._fail(f"task {t.key}: unknown compute key {t.compute_key!r}", "job_cluster Configuration Block")
            if isinstance(t.action, ConditionCode) and t.action.op not in CONDITION_OPS:
                self._fail(f"task {t.key}: condition op {t.action.op!r} not one of "
                           f"{', '.join(sorted(CONDITION_OPS))}", "condition_task Configuration Block")
            if t.run_if is not None and t.run_if not in RUN_IF:
                self._fail(f"task {t.key}: run_if {t.run_if!r} not one of {', '.join(sorted(RUN_IF))}",
                           "task Configuration Block")
            if isinstance(t.action, (NotebookCode, PythonScriptCode, PythonWheelCode)):
                bad = sorted(k for k in t.action.parameters if not _PARAM_NAME.match(k))
                if bad:
                    self._fail(f"task {t.key}: invalid parameter names {', '.join(bad)}", "task Configuration Block")
            if isinstance(t.action, (NotebookCode, PythonScriptCode)):
                if _relative(t.action.path) and p.git_source is None:
                    self._fail(f"task {t.key}: relative path {t.action.path!r} needs git_source",
                               "notebook_task Configuration Block")
            if isinstance(t.action, (PythonScriptCode, PythonWheelCode)):
                if t.compute_key is None:
                    self._fail(f"task {t.key}: Python script and wheel tasks need a compute_key (a job "
                               "cluster, or a serverless environment for their libraries)",
                               "task Configuration Block")
                if isinstance(t.action, PythonWheelCode) and t.action.wheel and t.compute_key in env_keys:
                    self._fail(f"task {t.key}: on serverless compute the wheel {t.action.wheel!r} must be in "
                               f"the dependencies of environment {t.compute_key!r}",
                               "environment Configuration Block")
        self._check_cycles(by_key)
        when = [k for k in ("schedule", "trigger", "continuous") if getattr(p, k) is not None]
        if len(when) > 1:
            self._fail(f"set at most one of schedule, trigger, continuous; got {', '.join(when)}",
                       "schedule Configuration Block")
        if p.schedule is not None:
            validate_quartz(p.schedule.cron)
            validate_timezone(p.schedule.timezone)
        if p.trigger is not None:
            kinds = [k for k in ("table_update", "file_arrival_url", "periodic") if getattr(p.trigger, k)]
            if len(kinds) != 1:
                self._fail("a trigger needs exactly one of table_update, file_arrival, periodic",
                           "trigger Configuration Block")
            for name in p.trigger.table_update or ():
                if not is_full_name(name):
                    self._fail(f"table_update table {name!r} must be catalog.schema.table",
                               "trigger Configuration Block")
        if p.continuous is not None and p.max_concurrent_runs != 1:
            self._fail("a continuous job needs max_concurrent_runs = 1", "continuous Configuration Block")
        if p.max_concurrent_runs < 1:
            self._fail("max_concurrent_runs must be at least 1", "Argument Reference")
        if p.git_source is not None:
            refs = [r for r in (p.git_source.branch, p.git_source.tag, p.git_source.commit) if r]
            if len(refs) != 1:
                self._fail("git_source needs exactly one of branch, tag, commit", "git_source Configuration Block")
        bad_metrics = sorted(set(p.health) - HEALTH_METRICS)
        if bad_metrics:
            self._fail(f"unknown health metric(s) {', '.join(bad_metrics)}", "health Configuration Block")
        n = p.notifications
        if n is not None:
            for event in _EVENTS:
                if len(getattr(n, event).destinations) > 3:
                    self._fail(f"{event}: at most 3 notification destinations", "webhook_notifications Configuration Block")
            if (n.on_duration_warning_threshold_exceeded.emails or n.on_duration_warning_threshold_exceeded.destinations) \
                    and "RUN_DURATION_SECONDS" not in p.health:
                self._fail("on_duration_warning_threshold_exceeded needs a RUN_DURATION_SECONDS health rule",
                           "health Configuration Block")
        if p.run_as is not None and p.run_as.kind == "group_name":
            self._fail(f"run_as must be a user or service principal, not group {p.run_as.name}",
                       "run_as Configuration Block")
        owners = sorted((pr for pr, level in p.permissions.items() if level == "IS_OWNER"), key=lambda pr: pr.key)
        if len(owners) > 1:
            self._fail(f"a job has exactly one owner, got IS_OWNER for {', '.join(pr.key for pr in owners)}",
                       "Job usage", "provider docs: permissions")
        if owners and owners[0].kind == "group_name":
            self._fail(f"a job cannot be owned by a group ({owners[0].name})", "Job usage",
                       "provider docs: permissions")
        if len(p.tags) > MAX_TAGS:
            self._fail(f"at most {MAX_TAGS} tags, got {len(p.tags)}", "tags Configuration Map")

    def _check_cycles(self, by_key: dict[str, TaskSpec]) -> None:
        state: dict[str, int] = {}

        def visit(key: str, trail: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                self._fail(f"task dependencies form a cycle: {' -> '.join(trail + [key])}",
                           "depends_on Configuration Block")
            state[key] = 1
            for dep in by_key[key].deps:
                visit(dep.task_key, trail + [key])
            state[key] = 2

        for key in sorted(by_key):
            visit(key, [])

    # ------------------------------------------------------------------ blocks

    @staticmethod
    def _source(path: str, source: str | None, git: GitSourceSpec | None) -> str:
        if source is not None:
            return source
        return "GIT" if _relative(path) and git is not None else "WORKSPACE"

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

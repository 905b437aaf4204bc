"""Project ``jobs:`` configuration: the ML workflow jobs of one project.

Shared settings (code source, compute profiles, notifications, permissions,
run_as, retries, tags) are written once under ``jobs:``; each job type
(``feature_engineering``, ``training``, ``batch_inference``, ``retraining``)
only adds what is specific to it and may override any shared key (a job's key
replaces the shared one). Per-environment differences go in the project's
``environments:`` map as usual. See docs/jobs.md.

Rules needing the environment (roles, cloud, cluster policies) are checked by
:func:`jobs_problems`, which the loader calls per environment so every error
names file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Iterator, Literal

from pydantic import (AfterValidator, BeforeValidator, Field, NonNegativeInt, PositiveInt, field_validator,
                      model_validator)

from platform_config.base import Model, Slug, UcName
from platform_config.compute import Cloud, DataSecurityMode
from platform_config.quartz import QuartzCron, TimeZoneId
from platform_config.references import RoleName
from platform_config.observability import is_target

PermissionLevel = Literal["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"]
#: Job permission levels, lowest first (provider docs: permissions, "Job usage").
JOB_LEVEL_RANK = ["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"]
HealthMetric = Literal["RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES", "STREAMING_BACKLOG_RECORDS",
                       "STREAMING_BACKLOG_SECONDS", "STREAMING_BACKLOG_FILES"]
GitProvider = Literal["gitHub", "gitHubEnterprise", "bitbucketCloud", "bitbucketServer",
                      "azureDevOpsServices", "gitLab", "gitLabEnterpriseEdition"]
Comparison = Literal["GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL"]
JOB_KINDS: tuple[str, ...] = ("feature_engineering", "training", "batch_inference", "retraining")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TABLE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*){0,2}$")
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_CLOUD_URI = ("s3:/", "s3a:/", "abfss:/", "gs:/", "dbfs:/")


def _scalar_to_str(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


#: A task parameter value: YAML scalars are passed to tasks as strings (true -> "true").
ParamValue = Annotated[str, BeforeValidator(_scalar_to_str)]


def _check_params(value: dict[str, str]) -> dict[str, str]:
    bad = sorted(k for k in value if not _PARAM_NAME.match(k))
    if bad:
        raise ValueError(f"parameter names may only contain letters, digits, '_', '-' and '.': {', '.join(bad)}")
    return value


#: Task parameters: name -> value; names as the provider allows them (job, 'parameter Configuration Block').
Parameters = Annotated[dict[str, ParamValue], AfterValidator(_check_params)]


def _check_table(value: str) -> str:
    if not _TABLE.match(value):
        raise ValueError(f"{value!r} is not a table name: use table, schema.table or catalog.schema.table")
    return value


#: A table name: 'table' (in the project's schema of the environment's catalog),
#: 'schema.table' (in the environment's catalog) or 'catalog.schema.table'.
TableName = Annotated[str, BeforeValidator(lambda v: _check_table(v) if isinstance(v, str) else v)]


# --------------------------------------------------------------------------- code


class WheelCode(Model):
    """A Python wheel entry point."""

    package_name: str
    """Python package name, as in the wheel's metadata. Required."""
    entry_point: str
    """Entry point (console script / entry_points name) to call. Required."""
    wheel: str | None = None
    """Path of the .whl installed on job clusters (a /Volumes/... or /Workspace/... path).
    Default: none (the package must already be on the cluster). On serverless compute put
    the wheel in the compute profile's dependencies instead."""


class TaskCode(Model):
    """What a task runs: exactly one of notebook, python_script, python_wheel.

    Relative paths are resolved in ``jobs.git_source`` (source GIT) or, without
    git source, below ``jobs.workspace_root``; absolute paths (/Workspace/...,
    /Repos/...) and cloud URIs are used as they are (source WORKSPACE)."""

    notebook: str | None = None
    """Notebook path (without the .py extension for source notebooks). Default: unset."""
    python_script: str | None = None
    """Python file path. Default: unset."""
    python_wheel: WheelCode | None = None
    """Wheel entry point. Default: unset."""
    parameters: Parameters = Field(default_factory=dict)
    """Extra parameters for this task (notebook widgets, --name=value arguments for scripts,
    named parameters for wheels). Default: none."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "TaskCode":
        kinds = [k for k in ("notebook", "python_script", "python_wheel") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("set exactly one of notebook, python_script or python_wheel; "
                             f"got {', '.join(kinds) or 'none'}")
        return self

    @property
    def path(self) -> str | None:
        return self.notebook or self.python_script

    @property
    def relative(self) -> bool:
        path = self.path
        return path is not None and not path.startswith("/") and not path.startswith(_CLOUD_URI)


# --------------------------------------------------------------------------- source


class GitSourceConfig(Model):
    """The Git repository holding the project's ML code (job git_source)."""

    url: str
    """Repository URL (https). Required."""
    provider: GitProvider | None = None
    """Git provider. Default: detected from the host (github.com, gitlab.com, dev.azure.com,
    bitbucket.org); required for other hosts."""
    branch: str | None = None
    """Branch to run. Set exactly one of branch, tag, commit."""
    tag: str | None = None
    """Tag to run (pin a release, e.g. in prod)."""
    commit: str | None = None
    """Commit SHA to run (7-40 hex digits)."""

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be the repository's https:// URL")
        return value

    @field_validator("commit")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9a-f]{7,40}", value):
            raise ValueError("must be a commit SHA: 7-40 lowercase hex digits")
        return value

    @model_validator(mode="after")
    def _ref(self) -> "GitSourceConfig":
        refs = [k for k in ("branch", "tag", "commit") if getattr(self, k)]
        if len(refs) != 1:
            raise ValueError(
                f"set exactly one of branch, tag or commit (got {', '.join(refs) or 'none'}); an "
                "environment override that pins a tag or commit must also set `branch: null` "
                "(provider docs: job, 'git_source Configuration Block')")
        if self.provider is None and self.detected_provider() is None:
            raise ValueError("provider is required for this host: one of gitHub, gitHubEnterprise, "
                             "bitbucketCloud, bitbucketServer, azureDevOpsServices, gitLab, "
                             "gitLabEnterpriseEdition")
        return self

    def detected_provider(self) -> str | None:
        host = self.url.removeprefix("https://").split("/")[0].lower()
        host = host.split("@")[-1]
        return {"github.com": "gitHub", "gitlab.com": "gitLab", "dev.azure.com": "azureDevOpsServices",
                "bitbucket.org": "bitbucketCloud"}.get(host) or (
            "azureDevOpsServices" if host.endswith(".visualstudio.com") else None)

    @property
    def resolved_provider(self) -> str:
        return self.provider or self.detected_provider()  # type: ignore[return-value]


# --------------------------------------------------------------------------- compute


class Autoscale(Model):
    min_workers: NonNegativeInt = 1
    """Default: 1."""
    max_workers: PositiveInt = 2
    """Default: 2."""

    @model_validator(mode="after")
    def _order(self) -> "Autoscale":
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) is greater than max_workers ({self.max_workers})")
        return self


class ClusterCompute(Model):
    """A job cluster shared by the job's tasks."""

    spark_version: str | None = None
    """Databricks Runtime. Default: the environment's compute.spark_version."""
    node_type: str | dict[Cloud, str] | None = None
    """Node type, or a map cloud -> node type so one project serves aws/azure/gcp
    workspaces. Default: the environment's compute.node_type."""
    driver_node_type: str | dict[Cloud, str] | None = None
    """Driver node type (same forms). Default: the worker node type."""
    num_workers: NonNegativeInt | None = None
    """Fixed size. Conflicts with autoscale. Default: autoscale."""
    autoscale: Autoscale | None = None
    """Autoscaling range. Default: 1-2 workers when num_workers is unset."""
    data_security_mode: DataSecurityMode | None = None
    """Access mode. Default: the environment's compute.data_security_mode."""
    custom_tags: dict[str, str] = Field(default_factory=dict)
    """Cluster tags (job tags are added by Databricks as well). Default: none."""
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Default: none."""
    spark_env_vars: dict[str, str] = Field(default_factory=dict)
    """Environment variables; reference secrets as {{secrets/<scope>/<key>}}. Default: none."""
    policy: Slug | None = None
    """Name of a cluster policy of the environment (compute.cluster_policies).
    Default: the environment's compute.default_policy."""
    policy_id: str | None = None
    """Id of a cluster policy not managed in config. Conflicts with policy."""

    @model_validator(mode="after")
    def _exclusive(self) -> "ClusterCompute":
        if self.num_workers is not None and self.autoscale is not None:
            raise ValueError("set num_workers (fixed size) or autoscale, not both")
        if self.policy is not None and self.policy_id is not None:
            raise ValueError("set policy (a name from the environment's compute.cluster_policies) "
                             "or policy_id, not both")
        return self


class ServerlessCompute(Model):
    """Serverless jobs compute; notebook tasks install libraries themselves (%pip or
    notebook environment), python_script / python_wheel tasks get this environment."""

    environment_version: str = "2"
    """Serverless environment (client) version. Default: '2'."""
    dependencies: list[str] = Field(default_factory=list)
    """pip requirement lines (packages, wheel paths, -r requirements files). Default: none."""


class ComputeProfile(Model):
    """One named compute choice: exactly one of cluster or serverless."""

    cluster: ClusterCompute | None = None
    serverless: ServerlessCompute | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "ComputeProfile":
        if (self.cluster is None) == (self.serverless is None):
            raise ValueError("set exactly one of cluster or serverless")
        return self


#: Used when a project defines no compute profiles: a job cluster with the environment's defaults.
DEFAULT_COMPUTE = ComputeProfile(cluster=ClusterCompute())


# --------------------------------------------------------------------------- when


class ScheduleConfig(Model):
    """A Quartz cron schedule."""

    cron: QuartzCron
    """Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]),
    e.g. '0 0 6 * * ?'. Required."""
    timezone: TimeZoneId | None = None
    """Java time-zone id. Default: jobs.timezone (UTC)."""
    paused: bool | None = None
    """Default: the environment's pause_schedules (dev paused, staging/prod running)."""



class TableUpdateTrigger(Model):
    tables: Annotated[list[TableName], Field(min_length=1)]
    """Tables to watch (table, schema.table or catalog.schema.table). Required."""
    condition: Literal["ANY_UPDATED", "ALL_UPDATED"] = "ANY_UPDATED"
    """Default: ANY_UPDATED."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""
    wait_after_last_change_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""


class FileArrivalTrigger(Model):
    url: str
    """External location URL to watch; must end with '/'. Required."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=60)] | None = None
    wait_after_last_change_seconds: Annotated[int, Field(ge=60)] | None = None

    @field_validator("url")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.endswith("/"):
            raise ValueError("must end with '/' (provider docs: job, 'trigger Configuration Block')")
        return value


class PeriodicTrigger(Model):
    interval: PositiveInt
    unit: Literal["HOURS", "DAYS", "WEEKS"]


class TriggerConfig(Model):
    """Exactly one of table_update, file_arrival, periodic."""

    table_update: TableUpdateTrigger | None = None
    file_arrival: FileArrivalTrigger | None = None
    periodic: PeriodicTrigger | None = None
    paused: bool | None = None
    """Default: the environment's pause_schedules."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "TriggerConfig":
        kinds = [k for k in ("table_update", "file_arrival", "periodic") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"set exactly one of table_update, file_arrival or periodic; got {', '.join(kinds) or 'none'}")
        return self


class ContinuousConfig(Model):
    paused: bool | None = None
    """Default: the environment's pause_schedules."""
    task_retry_mode: Literal["NEVER", "ON_FAILURE"] = "NEVER"
    """Default: NEVER."""


# --------------------------------------------------------------------------- notify


class EventTargets(Model):
    emails: list[str] = Field(default_factory=list)
    """E-mail addresses. Default: none."""
    destinations: Annotated[list[str], Field(max_length=3)] = Field(default_factory=list)
    """Notification destinations, at most 3: keys of the environment's
    ``notification_destinations`` (docs/observability.md) or ids (UUIDs) of destinations
    managed elsewhere. Default: none."""

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [e for e in value if not _EMAIL.match(e)]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(bad)}")
        return value

    @field_validator("destinations")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not (_UUID.match(d) or is_target(d)) or "@" in d]
        if bad:
            raise ValueError(f"not a notification destination (a key of notification_destinations or a "
                             f"destination id, a UUID): {', '.join(bad)}")
        return value


class NotificationsConfig(Model):
    on_start: EventTargets | None = None
    on_success: EventTargets | None = None
    on_failure: EventTargets | None = None
    on_duration_warning_threshold_exceeded: EventTargets | None = None
    """Needs a RUN_DURATION_SECONDS health rule."""
    no_alert_for_skipped_runs: bool = True
    """Default: true (skipped runs are not failures)."""
    no_alert_for_canceled_runs: bool = False
    """Default: false."""


# --------------------------------------------------------------------------- jobs


class JobSettings(Model):
    """Settings shared by all jobs (under ``jobs:``) and overridable per job.
    On a job, an unset key means "use the shared value"."""

    notifications: NotificationsConfig | None = None
    """Default: none."""
    permissions: dict[RoleName, PermissionLevel] | None = None
    """Role -> CAN_VIEW / CAN_MANAGE_RUN / CAN_MANAGE / IS_OWNER. At most one role is IS_OWNER
    and it must be one user or service principal. Default: none (the deployer owns the job)."""
    run_as: RoleName | None = None
    """Role standing for exactly one service principal (or user) the jobs run as.
    Default: unset (runs as the job owner)."""
    timeout_seconds: NonNegativeInt | None = None
    """Per-run timeout. Default: none."""
    max_retries: Annotated[int, Field(ge=-1)] | None = None
    """Retries per task (-1 = unlimited). Default: 0."""
    min_retry_interval_millis: NonNegativeInt | None = None
    """Default: retry immediately."""
    retry_on_timeout: bool | None = None
    """Default: false."""
    max_concurrent_runs: PositiveInt | None = None
    """Default: 1."""
    queue: bool | None = None
    """Queue runs that cannot start (concurrency limits) instead of skipping them. Default: true."""
    health: dict[HealthMetric, PositiveInt] | None = None
    """Metric -> threshold (GREATER_THAN), e.g. RUN_DURATION_SECONDS: 3600. Default: none."""
    edit_mode: Literal["EDITABLE", "UI_LOCKED"] | None = None
    """UI_LOCKED stops edits in the UI (config is the source of truth). Default: EDITABLE."""
    tags: dict[str, str] | None = None
    """Extra job tags (merged over the shared ones). Default: none."""

    @field_validator("permissions")
    @classmethod
    def _one_owner(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        owners = sorted(role for role, level in (value or {}).items() if level == "IS_OWNER")
        if len(owners) > 1:
            raise ValueError(f"a job has exactly one owner, but IS_OWNER is given to {', '.join(owners)} "
                             "(provider docs: permissions, 'Job usage')")
        return value


class JobBase(JobSettings):
    """What every job type has besides the shared settings."""

    enabled: bool = True
    """Whether the job is deployed (e.g. false in one environment). Default: true."""
    name: str | None = None
    """Job name before the environment naming rule. Default: '<project>-<job type>-job'."""
    description: str | None = None
    """Default: a generated description."""
    compute: Slug | None = None
    """Name of a profile in jobs.compute. Default: 'default' (or the only profile)."""
    schedule: ScheduleConfig | None = None
    """Quartz cron schedule. Conflicts with trigger and continuous. Default: none (run on demand)."""
    trigger: TriggerConfig | None = None
    """Table update / file arrival / periodic trigger. Conflicts with schedule and continuous."""
    continuous: ContinuousConfig | None = None
    """Run continuously (feature engineering and batch inference only). Conflicts with
    schedule and trigger."""
    parameters: Parameters = Field(default_factory=dict)
    """Extra parameters passed to every task of the job. Default: none."""

    @model_validator(mode="after")
    def _when(self) -> "JobBase":
        kinds = [k for k in ("schedule", "trigger", "continuous") if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"set at most one of schedule, trigger or continuous; got {', '.join(kinds)} "
                             "(provider docs: job, 'schedule Configuration Block')")
        return self


class FeatureTableConfig(Model):
    """One feature table refreshed by the feature engineering job (one task per table)."""

    schema_name: UcName | None = Field(default=None, alias="schema")
    """Schema of the feature table. Default: the project's schema."""
    input_table: TableName | None = None
    """Source table passed as input_table_name. Default: none."""
    primary_keys: list[str] = Field(default_factory=list)
    """Passed as primary_keys (comma-separated). Default: none."""
    timestamp_column: str | None = None
    """Passed as timestamp_column. Default: none."""
    task: TaskCode | None = None
    """Code refreshing this table. Default: the job's task."""
    parameters: Parameters = Field(default_factory=dict)
    """Extra parameters for this table's task. Default: none."""


class FeatureEngineeringJobConfig(JobBase):
    task: TaskCode = Field(default_factory=lambda: TaskCode(
        notebook="feature_engineering/notebooks/GenerateAndWriteFeatures"))
    """Code refreshing a feature table. Default: notebook
    feature_engineering/notebooks/GenerateAndWriteFeatures."""
    tables: Annotated[dict[UcName, FeatureTableConfig], Field(min_length=1)]
    """Feature table name -> settings. Required (at least one)."""


class TrainingTasks(Model):
    train: TaskCode = Field(default_factory=lambda: TaskCode(notebook="training/notebooks/Train"))
    """Default: notebook training/notebooks/Train."""
    validate_: TaskCode = Field(default_factory=lambda: TaskCode(
        notebook="validation/notebooks/ModelValidation"), alias="validate")
    """Default: notebook validation/notebooks/ModelValidation."""
    deploy: TaskCode = Field(default_factory=lambda: TaskCode(
        notebook="deployment/model_deployment/notebooks/ModelDeployment"))
    """Default: notebook deployment/model_deployment/notebooks/ModelDeployment."""


class ValidationConfig(Model):
    mode: Literal["enabled", "dry_run", "disabled"] = "enabled"
    """enabled: failing rules stop deployment; dry_run: rules are evaluated and reported
    but the challenger is promoted anyway (typical in dev); disabled: skip. Default: enabled."""
    thresholds: dict[str, dict[Literal["min", "max"], float]] = Field(default_factory=dict)
    """Metric -> {min, max}, e.g. roc_auc: {min: 0.75}; passed as JSON. Default: none."""
    model_type: Literal["classifier", "regressor"] | None = None
    """mlflow.evaluate model type. Default: unset."""
    targets: str | None = None
    """Label column. Default: unset."""
    baseline_comparison: bool = True
    """Compare the challenger with the current champion. Default: true."""
    data: TableName | None = None
    """Validation data table. Default: unset (the task decides)."""


class TrainingJobConfig(JobBase):
    tasks: TrainingTasks = Field(default_factory=TrainingTasks)
    """Code of the Train, ModelValidation and ModelDeployment tasks."""
    training_data: TableName | None = None
    """Training data table passed as training_data. Default: unset."""
    validation: ValidationConfig = Field(default_factory=ValidationConfig)


class BatchInferenceJobConfig(JobBase):
    task: TaskCode = Field(default_factory=lambda: TaskCode(
        notebook="deployment/batch_inference/notebooks/BatchInference"))
    """Default: notebook deployment/batch_inference/notebooks/BatchInference."""
    input_table: TableName
    """Table to score. Required."""
    output_table: TableName = "predictions"
    """Predictions table. Default: 'predictions' in the project's schema of the environment's catalog."""


class DriftConfig(Model):
    """The drift metric the retraining job checks."""

    table: TableName | None = None
    """Drift metrics table. Default: the drift metrics table of the project's inference
    monitor (<catalog>.<output schema>.<monitored table>_drift_metrics); without one, that
    of the batch predictions table (<schema>.<predictions table>_drift_metrics)."""
    metric: str
    """Metric column, e.g. js_distance, wasserstein_distance, population_stability_index. Required."""
    threshold: float
    """Retrain when the metric crosses this value. Required."""
    comparison: Comparison = "GREATER_THAN"
    """How the metric is compared with the threshold. Default: GREATER_THAN."""

    @field_validator("comparison", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class RetrainingJobConfig(JobBase):
    task: TaskCode = Field(default_factory=lambda: TaskCode(
        notebook="monitoring/notebooks/ComputeDriftMetric"))
    """Code that reads the drift metric and sets the task value 'drift_metric'.
    Default: notebook monitoring/notebooks/ComputeDriftMetric."""
    drift: DriftConfig


class JobsConfig(JobSettings):
    """The project's jobs. Shared settings here apply to every job."""

    git_source: GitSourceConfig | None = None
    """Repository with the ML code. Default: none (tasks use workspace paths)."""
    workspace_root: str | None = None
    """Absolute workspace folder relative task paths are resolved against when there is no
    git_source, e.g. /Workspace/Shared/churn. Default: none."""
    timezone: TimeZoneId = "UTC"
    """Time zone for schedules. Default: UTC."""
    compute: dict[Slug, ComputeProfile] = Field(default_factory=dict)
    """Profile name -> cluster or serverless. Jobs use 'default' unless they name one.
    Default: one job cluster with the environment's compute defaults."""
    feature_engineering: FeatureEngineeringJobConfig | None = None
    training: TrainingJobConfig | None = None
    batch_inference: BatchInferenceJobConfig | None = None
    retraining: RetrainingJobConfig | None = None

    @field_validator("workspace_root")
    @classmethod
    def _abs(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must be an absolute workspace path, e.g. /Workspace/Shared/churn")
        return value.rstrip("/") if value else value

    def enabled_jobs(self) -> list[tuple[str, JobBase]]:
        """(kind, job) for every configured, enabled job, in JOB_KINDS order."""
        return [(kind, job) for kind in JOB_KINDS
                if (job := getattr(self, kind)) is not None and job.enabled]

    def resolve(self, job: JobBase) -> "ResolvedSettings":
        """A job's settings with unset keys taken from the shared ones, defaults applied."""
        def pick(name: str, default: Any = None) -> Any:
            own = getattr(job, name)
            if own is not None:
                return own
            shared = getattr(self, name)
            return default if shared is None else shared

        if job.compute is not None:
            profile_name = job.compute
        elif len(self.compute) == 1:
            profile_name = next(iter(self.compute))
        else:
            profile_name = "default"
        return ResolvedSettings(
            notifications=pick("notifications"),
            permissions=pick("permissions", {}),
            run_as=pick("run_as"),
            timeout_seconds=pick("timeout_seconds"),
            max_retries=pick("max_retries"),
            min_retry_interval_millis=pick("min_retry_interval_millis"),
            retry_on_timeout=pick("retry_on_timeout"),
            max_concurrent_runs=pick("max_concurrent_runs", 1),
            queue=pick("queue", True),
            health=pick("health", {}),
            edit_mode=pick("edit_mode"),
            tags={**(self.tags or {}), **(job.tags or {})},
            compute_name=profile_name,
            compute=self.compute.get(profile_name) if self.compute else DEFAULT_COMPUTE,
        )


@dataclass(frozen=True)
class ResolvedSettings:
    """One job's effective shared settings (job value, else shared value, else default)."""

    notifications: NotificationsConfig | None
    permissions: dict[str, str]
    run_as: str | None
    timeout_seconds: int | None
    max_retries: int | None
    min_retry_interval_millis: int | None
    retry_on_timeout: bool | None
    max_concurrent_runs: int
    queue: bool
    health: dict[str, int]
    edit_mode: str | None
    tags: dict[str, str]
    compute_name: str
    compute: ComputeProfile | None
    """None when the job names a profile that does not exist (reported by jobs_problems)."""


#: Parameters the platform sets per job type; users cannot override them.
RESERVED_PARAMETERS: dict[str, frozenset[str]] = {
    "feature_engineering": frozenset({"env", "output_table_name", "input_table_name", "primary_keys",
                                      "timestamp_column"}),
    "training": frozenset({"env", "model_name", "model_version", "experiment_name", "training_data", "run_mode",
                           "challenger_alias", "champion_alias", "validation_thresholds", "model_type",
                           "targets", "enable_baseline_comparison", "validation_input"}),
    "batch_inference": frozenset({"env", "model_name", "model_alias", "input_table_name",
                                  "output_table_name"}),
    "retraining": frozenset({"env", "model_name", "drift_metrics_table", "drift_metric_column",
                             "drift_threshold", "drift_comparison", "task_value_key"}),
}


def _task_codes(kind: str, job: JobBase) -> Iterator[tuple[tuple, TaskCode]]:
    """(key path below the job, task code) for every task of a job."""
    if isinstance(job, FeatureEngineeringJobConfig):
        yield ("task",), job.task
        for name, table in job.tables.items():
            if table.task is not None:
                yield ("tables", name, "task"), table.task
    elif isinstance(job, TrainingJobConfig):
        for key in ("train", "validate", "deploy"):
            yield ("tasks", key), getattr(job.tasks, "validate_" if key == "validate" else key)
    else:
        yield ("task",), job.task  # type: ignore[attr-defined]


def _members(roles: dict, role: str) -> tuple[list[tuple[str, str]], str]:
    """(kind, name) of a role's principals, and how an error message describes them."""
    members = roles[role].all() if role in roles else []
    desc = ", ".join(f"{n} ({k.removesuffix('_name').replace('_', ' ')})" for k, n in members) or "nobody"
    return members, desc


def _reserved(kind: str, params: dict[str, str], path: tuple) -> list[tuple[tuple, str]]:
    reserved = sorted(set(params) & RESERVED_PARAMETERS[kind])
    return [(path, f"{', '.join(reserved)} set by the platform; choose other names")] if reserved else []


def jobs_problems(jobs: JobsConfig, cloud: str, policies: dict[str, Any], roles: dict,
                  require_run_as: str | None = None) -> list[tuple[tuple, str]]:
    """Rules that need the environment. Returns (key path, message) pairs; paths start at 'jobs'.

    ``policies`` is the environment's compute.cluster_policies, ``roles`` its roles
    overlaid with the project's (role name -> Principals), ``require_run_as`` its
    name when it sets require_job_run_as."""
    out: list[tuple[tuple, str]] = []
    enabled = dict(jobs.enabled_jobs())

    def settings_path(kind: str, job: JobBase, name: str) -> tuple:
        return ("jobs", kind, name) if getattr(job, name) is not None else ("jobs", name)

    for name, profile in jobs.compute.items():
        cluster = profile.cluster
        if cluster is None:
            continue
        for field in ("node_type", "driver_node_type"):
            value = getattr(cluster, field)
            if isinstance(value, dict) and cloud not in value:
                out.append((("jobs", "compute", name, "cluster", field),
                            f"no node type for this environment's cloud '{cloud}' "
                            f"(given: {', '.join(sorted(value))})"))
        if cluster.policy is not None and cluster.policy not in policies:
            known = ", ".join(sorted(policies)) or "none"
            out.append((("jobs", "compute", name, "cluster", "policy"),
                        f"unknown cluster policy '{cluster.policy}' in this environment "
                        f"(compute.cluster_policies: {known})"))

    if jobs.retraining is not None and jobs.retraining.enabled and "training" not in enabled:
        out.append((("jobs", "retraining"), "the retraining job runs the training job: configure and "
                                            "enable jobs.training in this environment"))

    if require_run_as:
        missing = [kind for kind, job in enabled.items() if jobs.resolve(job).run_as is None]
        for path in [("jobs",)] if missing and len(missing) == len(enabled) else [("jobs", k) for k in missing]:
            out.append((path, f"environment '{require_run_as}' sets require_job_run_as: set run_as (for all "
                              "jobs: jobs.run_as) to a role standing for one service principal"))

    for kind, job in enabled.items():
        s = jobs.resolve(job)
        if s.compute is None:
            known = ", ".join(sorted(jobs.compute)) or "none"
            out.append((("jobs", kind, "compute") if job.compute else ("jobs", "compute"),
                        f"unknown compute profile '{s.compute_name}' (jobs.compute: {known})"))
        for path, code in _task_codes(kind, job):
            if code.relative and jobs.git_source is None and jobs.workspace_root is None:
                out.append((("jobs", kind) + path,
                            f"relative path {code.path!r} needs jobs.git_source (path in the repository) "
                            "or jobs.workspace_root; or use an absolute /Workspace/... path"))
            if (code.python_wheel is not None and code.python_wheel.wheel is not None
                    and s.compute is not None and s.compute.serverless is not None):
                out.append((("jobs", kind) + path + ("python_wheel", "wheel"),
                            "serverless compute installs wheels from its dependencies: add the wheel "
                            f"to jobs.compute.{s.compute_name}.serverless.dependencies instead"))
            out += _reserved(kind, code.parameters, ("jobs", kind) + path + ("parameters",))
        out += _reserved(kind, job.parameters, ("jobs", kind, "parameters"))
        if isinstance(job, FeatureEngineeringJobConfig):
            for name, table in job.tables.items():
                out += _reserved(kind, table.parameters, ("jobs", kind, "tables", name, "parameters"))

        if job.continuous is not None:
            if kind not in ("feature_engineering", "batch_inference"):
                out.append((("jobs", kind, "continuous"),
                            "continuous runs are only valid for feature_engineering and batch_inference "
                            "(streaming) jobs; use a schedule or trigger"))
            if s.max_concurrent_runs != 1:
                out.append((settings_path(kind, job, "max_concurrent_runs"),
                            f"a continuous job runs one run at a time: max_concurrent_runs must be 1 "
                            f"for jobs.{kind}"))
        if (s.notifications is not None and s.notifications.on_duration_warning_threshold_exceeded
                and "RUN_DURATION_SECONDS" not in s.health):
            out.append((settings_path(kind, job, "notifications") + ("on_duration_warning_threshold_exceeded",),
                        f"jobs.{kind} has no RUN_DURATION_SECONDS health rule, so this notification "
                        "never fires; add health: {RUN_DURATION_SECONDS: <seconds>}"))

        if s.run_as is not None and s.run_as in roles:
            members, desc = _members(roles, s.run_as)
            if len(members) != 1 or members[0][0] == "group_name":
                out.append((settings_path(kind, job, "run_as"),
                            f"run_as role '{s.run_as}' must stand for exactly one service principal "
                            f"or user in this environment, but it is: {desc}"))
        for role, level in s.permissions.items():
            if level != "IS_OWNER" or role not in roles:
                continue
            members, desc = _members(roles, role)
            if len(members) != 1 or members[0][0] == "group_name":
                out.append((settings_path(kind, job, "permissions") + (role,),
                            f"IS_OWNER must be exactly one user or service principal (a job cannot be "
                            f"owned by a group), but role '{role}' is: {desc} "
                            "(provider docs: permissions, 'Job usage')"))
    return out

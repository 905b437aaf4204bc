"""The job types of the ``jobs:`` config and the settings they share with it.

``JobSettingsConfig`` are the keys written once under ``jobs:`` and overridable per job; each job
type (``*JobConfig``) adds what is specific to it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from databricks_spec.enums import Comparison, EditMode, HealthMetric
from databricks_spec.permissions import JobLevel
from databricks_spec.rules import jobs as job_rules
from platform_config.base import Model, Slug, UcName
from platform_config.features import FeatureTableGovernanceConfig
from platform_config.jobs.code import TaskCodeConfig
from platform_config.jobs.fields import Parameters, TableName
from platform_config.jobs.notifications import NotificationsConfig
from platform_config.jobs.timing import ContinuousConfig, ScheduleConfig, TriggerConfig
from platform_config.references import RoleName
from platform_config.rule_adapter import raise_findings

class JobSettingsConfig(Model):
    """Settings shared by all jobs (under ``jobs:``) and overridable per job.
    On a job, an unset key means "use the shared value"."""

    notifications: NotificationsConfig | None = None
    """Default: none."""
    permissions: dict[RoleName, JobLevel] | None = None
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
    edit_mode: EditMode | None = None
    """UI_LOCKED stops edits in the UI (config is the source of truth). Default: EDITABLE."""
    tags: dict[str, str] | None = None
    """Extra job tags (merged over the shared ones). Default: none."""

    @field_validator("permissions")
    @classmethod
    def _one_owner(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        raise_findings(job_rules.one_owner(value or {}))
        return value


class JobBaseConfig(JobSettingsConfig):
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
    def _when(self) -> "JobBaseConfig":
        raise_findings(job_rules.run_modes(self.schedule is not None, self.trigger is not None,
                                           self.continuous is not None))
        return self


class FeatureTableConfig(FeatureTableGovernanceConfig):
    """One feature table refreshed by the feature engineering job (one task per table)."""

    schema_name: UcName | None = Field(default=None, alias="schema")
    """Schema of the feature table. Default: the project's schema."""
    input_table: TableName | None = None
    """Source table passed as input_table_name. Default: none."""
    primary_keys: list[str] = Field(default_factory=list)
    """Passed as primary_keys (comma-separated). Default: none."""
    timestamp_column: str | None = None
    """Passed as timestamp_column. Default: none."""
    task: TaskCodeConfig | None = None
    """Code refreshing this table. Default: the job's task."""
    parameters: Parameters = Field(default_factory=dict)
    """Extra parameters for this table's task. Default: none."""


class FeatureEngineeringJobConfig(JobBaseConfig):
    task: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(
        notebook="feature_engineering/notebooks/GenerateAndWriteFeatures"))
    """Code refreshing a feature table. Default: notebook
    feature_engineering/notebooks/GenerateAndWriteFeatures."""
    tables: Annotated[dict[UcName, FeatureTableConfig], Field(min_length=1)]
    """Feature table name -> settings. Required (at least one)."""


class TrainingTasksConfig(Model):
    train: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(notebook="training/notebooks/Train"))
    """Default: notebook training/notebooks/Train."""
    validate_: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(
        notebook="validation/notebooks/ModelValidation"), alias="validate")
    """Default: notebook validation/notebooks/ModelValidation."""
    deploy: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(
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


class TrainingJobConfig(JobBaseConfig):
    tasks: TrainingTasksConfig = Field(default_factory=TrainingTasksConfig)
    """Code of the Train, ModelValidation and ModelDeployment tasks. Default: the notebooks below."""
    training_data: TableName | None = None
    """Training data table passed as training_data. Default: unset."""
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    """Model validation rules. Default: enabled, no thresholds."""


class BatchInferenceJobConfig(JobBaseConfig):
    task: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(
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


class RetrainingJobConfig(JobBaseConfig):
    task: TaskCodeConfig = Field(default_factory=lambda: TaskCodeConfig(
        notebook="monitoring/notebooks/ComputeDriftMetric"))
    """Code that reads the drift metric and sets the task value 'drift_metric'.
    Default: notebook monitoring/notebooks/ComputeDriftMetric."""
    drift: DriftConfig
    """The drift metric and threshold that trigger retraining. Required."""



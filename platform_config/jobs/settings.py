"""``JobsConfig``: the whole ``jobs:`` section, and how one job's settings resolve.

A job's unset key takes the shared value under ``jobs:``, else the documented default
(``JobsConfig.resolve`` -> ``ResolvedSettings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import Field, field_validator

from platform_config.jobs.clusters import DEFAULT_COMPUTE, ComputeProfileConfig
from platform_config.jobs.code import GitSourceConfig, TaskCodeConfig
from platform_config.jobs.job_types import (BatchInferenceJobConfig, FeatureEngineeringJobConfig, JobBaseConfig,
                                            JobSettingsConfig, RetrainingJobConfig, TrainingJobConfig)
from platform_config.jobs.notifications import NotificationsConfig
from platform_config.base import Slug
from platform_config.quartz import TimeZoneId

JOB_KINDS: tuple[str, ...] = ("feature_engineering", "training", "batch_inference", "retraining")


class JobsConfig(JobSettingsConfig):
    """The project's jobs. Shared settings here apply to every job."""

    git_source: GitSourceConfig | None = None
    """Repository with the ML code. Default: none (tasks use workspace paths)."""
    workspace_root: str | None = None
    """Absolute workspace folder relative task paths are resolved against when there is no
    git_source, e.g. /Workspace/Shared/churn. Default: none."""
    timezone: TimeZoneId = "UTC"
    """Time zone for schedules. Default: UTC."""
    compute: dict[Slug, ComputeProfileConfig] = Field(default_factory=dict)
    """Profile name -> cluster or serverless. Jobs use 'default' unless they name one.
    Default: one job cluster with the environment's compute defaults."""
    feature_engineering: FeatureEngineeringJobConfig | None = None
    """Feature engineering job (one task per feature table). Default: none."""
    training: TrainingJobConfig | None = None
    """Training job (train, validate, deploy). Default: none."""
    batch_inference: BatchInferenceJobConfig | None = None
    """Batch inference job. Default: none."""
    retraining: RetrainingJobConfig | None = None
    """Retraining job: runs training when the drift metric crosses its threshold. Default: none."""

    @field_validator("workspace_root")
    @classmethod
    def _abs(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must be an absolute workspace path, e.g. /Workspace/Shared/churn")
        return value.rstrip("/") if value else value

    def enabled_jobs(self) -> list[tuple[str, JobBaseConfig]]:
        """(kind, job) for every configured, enabled job, in JOB_KINDS order."""
        return [(kind, job) for kind in JOB_KINDS
                if (job := getattr(self, kind)) is not None and job.enabled]

    def resolve(self, job: JobBaseConfig) -> "ResolvedSettings":
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
    compute: ComputeProfileConfig | None
    """None when the job names a profile that does not exist (reported by
    platform_config.environment_rules)."""


#: Parameters the platform sets per job type; users cannot override them.
RESERVED_PARAMETERS: dict[str, frozenset[str]] = {
    "feature_engineering": frozenset({"env", "output_table_name", "input_table_name", "primary_keys",
                                      "timestamp_column", "table_description", "table_tags"}),
    "training": frozenset({"env", "model_name", "model_version", "experiment_name", "training_data", "run_mode",
                           "challenger_alias", "champion_alias", "validation_thresholds", "model_type",
                           "targets", "enable_baseline_comparison", "validation_input"}),
    "batch_inference": frozenset({"env", "model_name", "model_alias", "input_table_name",
                                  "output_table_name"}),
    "retraining": frozenset({"env", "model_name", "drift_metrics_table", "drift_metric_column",
                             "drift_threshold", "drift_comparison", "task_value_key"}),
}


def task_codes(job: JobBaseConfig) -> Iterator[tuple[tuple, TaskCodeConfig]]:
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



"""How a pipeline runs and who hears about it: ``pipelines.<key>.orchestration`` (the job
running it, on a schedule or file arrival) and ``pipelines.<key>.notifications``.

Split from platform_config/pipelines.py (the pipeline model, which uses these).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from databricks_spec import pipelines as spec
from platform_config.base import Model, Slug
from platform_config.jobs import ScheduleConfig
from platform_config.observability import EmailTarget
from platform_config.rule_adapter import checked_by


class PipelineNotificationConfig(Model):
    """One `notification` block: who is e-mailed on which alerts."""

    emails: Annotated[list[EmailTarget], Field(min_length=1)]
    """E-mail recipients: addresses, or keys of the environment's email notification
    destinations (expanded to their addresses; docs/observability.md). Required."""
    alerts: Annotated[list[Annotated[str, checked_by(spec.alert_problem)]],
                      Field(min_length=1)] = Field(
        default_factory=lambda: ["on-update-failure", "on-update-fatal-failure", "on-flow-failure"])
    """on-update-success, on-update-failure, on-update-fatal-failure, on-flow-failure.
    Default: the three failure alerts."""



class FileArrivalSourceConfig(Model):
    """A file-arrival trigger on a project volume or an external location."""

    volume: Slug | None = None
    """Key of a project volume. Set exactly one of volume or url."""
    url: str | None = None
    """External location URL ending in '/'. Default: unset."""
    path: str | None = None
    """Sub-folder below the volume, ending in '/'. Default: the whole volume."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""
    wait_after_last_change_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""
    paused: bool | None = None
    """Default: the environment's pause_schedules."""

    @model_validator(mode="after")
    def _one(self) -> "FileArrivalSourceConfig":
        if (self.volume is None) == (self.url is None):
            raise ValueError("set exactly one of volume (a key of the project's volumes) or url")
        if self.url is not None and not self.url.endswith("/"):
            raise ValueError("url must end with '/' (provider docs: job, 'trigger Configuration Block')")
        if self.path is not None and (self.path.startswith("/") or not self.path.endswith("/")):
            raise ValueError("path must be a relative sub-folder ending in '/', e.g. crm/")
        return self


class PipelineJobConfig(Model):
    """A standalone job that runs the pipeline (one pipeline_task). Notifications,
    permissions, run_as, timeout and tags come from the project's shared ``jobs:`` settings."""

    name: str | None = None
    """Job name before the naming rule. Default: '<project>-<key>-pipeline-job'."""
    schedule: ScheduleConfig | None = None
    """Quartz cron schedule; paused by the environment's pause_schedules. Default: none."""
    file_arrival: FileArrivalSourceConfig | None = None
    """Run when files land. Conflicts with schedule. Default: none (run on demand)."""
    full_refresh: bool = False
    """Recompute every table on each run. Default: false (incremental)."""

    @model_validator(mode="after")
    def _when(self) -> "PipelineJobConfig":
        if self.schedule is not None and self.file_arrival is not None:
            raise ValueError("set schedule or file_arrival, not both")
        return self


class PipelineOrchestrationConfig(Model):
    """How the pipeline is run. Default: on demand (no job runs it)."""

    feature_engineering: bool = False
    """The project's feature engineering job runs this pipeline first (a pipeline_task with
    full refresh off) and its feature tasks depend on it. Default: false."""
    job: PipelineJobConfig | None = None
    """A standalone job running the pipeline on a schedule or file arrival. Default: none."""


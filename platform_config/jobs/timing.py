"""When a job runs: a Quartz schedule, a trigger (table update, file arrival, periodic) or
continuously."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveInt, field_validator, model_validator

from databricks_spec.enums import MIN_TRIGGER_SECONDS, PeriodicUnit, TableUpdateCondition, TaskRetryMode
from databricks_spec.rules import jobs as job_rules
from platform_config.base import Model
from platform_config.jobs.fields import TableName
from platform_config.quartz import QuartzCron, TimeZoneId
from platform_config.rule_adapter import raise_findings

class ScheduleConfig(Model):
    """A Quartz cron schedule."""

    cron: QuartzCron
    """Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]),
    e.g. '0 0 6 * * ?'. Required."""
    timezone: TimeZoneId | None = None
    """Java time-zone id. Default: jobs.timezone (UTC)."""
    paused: bool | None = None
    """Default: the environment's pause_schedules (dev paused, staging/prod running)."""


class TableUpdateTriggerConfig(Model):
    tables: Annotated[list[TableName], Field(min_length=1)]
    """Tables to watch (table, schema.table or catalog.schema.table). Required."""
    condition: TableUpdateCondition = "ANY_UPDATED"
    """Default: ANY_UPDATED."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=MIN_TRIGGER_SECONDS)] | None = None
    """Default: unset (provider minimum is 60)."""
    wait_after_last_change_seconds: Annotated[int, Field(ge=MIN_TRIGGER_SECONDS)] | None = None
    """Default: unset (provider minimum is 60)."""


class FileArrivalTriggerConfig(Model):
    url: str
    """External location URL to watch; must end with '/'. Required."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=MIN_TRIGGER_SECONDS)] | None = None
    """Default: unset (provider minimum is 60)."""
    wait_after_last_change_seconds: Annotated[int, Field(ge=MIN_TRIGGER_SECONDS)] | None = None
    """Default: unset (provider minimum is 60)."""

    @field_validator("url")
    @classmethod
    def _slash(cls, value: str) -> str:
        raise_findings(job_rules.file_arrival_url(value))
        return value


class PeriodicTriggerConfig(Model):
    interval: PositiveInt
    """Run every <interval> units. Required."""
    unit: PeriodicUnit
    """HOURS, DAYS or WEEKS. Required."""


class TriggerConfig(Model):
    """Exactly one of table_update, file_arrival, periodic."""

    table_update: TableUpdateTriggerConfig | None = None
    """Run when watched tables change. Default: unset."""
    file_arrival: FileArrivalTriggerConfig | None = None
    """Run when files arrive at an external location. Default: unset."""
    periodic: PeriodicTriggerConfig | None = None
    """Run at a fixed interval. Default: unset."""
    paused: bool | None = None
    """Default: the environment's pause_schedules."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "TriggerConfig":
        raise_findings(job_rules.trigger_kinds(self.table_update is not None, self.file_arrival is not None,
                                               self.periodic is not None))
        return self


class ContinuousConfig(Model):
    paused: bool | None = None
    """Default: the environment's pause_schedules."""
    task_retry_mode: TaskRetryMode = "NEVER"
    """Default: NEVER."""



"""Nested props of ``mlops_constructs.job.MlJobProps`` besides tasks: shared compute (job
clusters, serverless environments), when the job runs (schedule, trigger, continuous), who it
notifies, its git source and retry policy. Plain frozen dataclasses, no jsii.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


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
class TargetsSpec:
    emails: tuple[str, ...] = ()
    """Default: none."""
    destinations: tuple[str, ...] = ()
    """Notification destination ids, at most 3. Default: none."""


@dataclass(frozen=True, kw_only=True)
class NotificationsSpec:
    on_start: TargetsSpec = TargetsSpec()
    """Default: nobody."""
    on_success: TargetsSpec = TargetsSpec()
    """Default: nobody."""
    on_failure: TargetsSpec = TargetsSpec()
    """Default: nobody."""
    on_duration_warning_threshold_exceeded: TargetsSpec = TargetsSpec()
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



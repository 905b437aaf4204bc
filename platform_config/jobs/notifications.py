"""Who a job notifies: e-mail addresses and notification destinations per event."""

from __future__ import annotations

from pydantic import Field, field_validator

from databricks_spec.rules import jobs as job_rules
from platform_config.base import Model
from platform_config.rule_adapter import raise_findings

class EventTargetsConfig(Model):
    emails: list[str] = Field(default_factory=list)
    """E-mail addresses. Default: none."""
    destinations: list[str] = Field(default_factory=list)
    """Notification destinations, at most 3: keys of the environment's
    ``notification_destinations`` (docs/observability.md) or ids (UUIDs) of destinations
    managed elsewhere. Default: none."""

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        raise_findings(job_rules.emails(value))
        return value

    @field_validator("destinations")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        raise_findings(job_rules.notification_destinations(value, keys=True))
        return value


class NotificationsConfig(Model):
    on_start: EventTargetsConfig | None = None
    """Notified when a run starts. Default: nobody."""
    on_success: EventTargetsConfig | None = None
    """Notified when a run succeeds. Default: nobody."""
    on_failure: EventTargetsConfig | None = None
    """Notified when a run fails. Default: nobody."""
    on_duration_warning_threshold_exceeded: EventTargetsConfig | None = None
    """Needs a RUN_DURATION_SECONDS health rule."""
    no_alert_for_skipped_runs: bool = True
    """Default: true (skipped runs are not failures)."""
    no_alert_for_canceled_runs: bool = False
    """Default: false."""



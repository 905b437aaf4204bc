"""Observability configuration: SQL warehouses, notification destinations, dashboards, alerts.

Environment files declare (docs/observability.md):

* ``sql_warehouses``: key -> a warehouse the platform creates (serverless by default) or,
  with ``id``, one that exists already (the one spelling for "reference an existing one");
* ``notification_destinations``: key -> an e-mail, Slack, Microsoft Teams, PagerDuty or
  generic-webhook destination, or, with ``id``, one managed elsewhere. Webhook URLs and
  integration keys never live in config: each comes from a sensitive Terraform variable
  the stack declares (:func:`destination_variable`);
* ``observability``: which warehouse is the environment's, where dashboards and alerts go.

Project files declare ``observability``: the project's dashboard and its alerts (drift,
data quality, serving errors). Jobs, alerts and endpoints name destinations by key; raw
UUIDs stay accepted for destinations managed elsewhere.

Rules are the pure functions of ``databricks_spec.observability``; this module attaches
key paths (the loader adds file:line). The rules that need the environment are in
``platform_config.observability_rules``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from databricks_spec.observability import (DESTINATION_SECRET_FIELDS, DESTINATION_TYPES,
                                           auto_stop_problem, bounds_problem,
                                           channel_problem, cluster_bounds_problem,
                                           destination_type_problem, warehouse_size_problem)
from databricks_spec.permissions import WORKSPACE_OBJECTS
from databricks_spec.formats import EMAIL, EMAIL_PATTERN
from platform_config.base import SLUG_PATTERN, Model, Slug, Tags, snake
from databricks_spec.rules import Finding, findings_at
from platform_config.governance import UUID
from platform_config.rule_adapter import raise_findings
from platform_config.quartz import QuartzCron, TimeZoneId
from platform_config.references import RoleName

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SLUG = re.compile(SLUG_PATTERN)
_WAREHOUSE_ID = re.compile(r"^[0-9a-f]{16}$")

#: An e-mail address, or the key of one of the environment's ``email`` notification destinations
#: (its addresses are notified): for monitors and serving endpoints, which notify by e-mail only.
EmailTarget = Annotated[str, StringConstraints(pattern=f"^({EMAIL_PATTERN[1:-1]}|{SLUG_PATTERN[1:-1]})$")]

WarehouseLevel = Literal[WORKSPACE_OBJECTS["sql_warehouse"][1]]  # type: ignore[valid-type]
DashboardLevel = Literal[WORKSPACE_OBJECTS["dashboard"][1]]  # type: ignore[valid-type]
AlertLevel = Literal[WORKSPACE_OBJECTS["sql_alert"][1]]  # type: ignore[valid-type]

#: Default alert schedule: hourly, on the hour.
DEFAULT_ALERT_CRON = "0 0 * * * ?"


# --------------------------------------------------------------------------- environment


class SqlWarehouseConfig(Model):
    """A SQL warehouse (databricks_sql_endpoint) of the environment, or a reference to one."""

    id: str | None = None
    """Reference an existing warehouse by its id (16 hex digits): nothing is created and only
    ``permissions`` apply. Default: unset (the platform creates the warehouse)."""
    name: str | None = None
    """Display name. Default: the naming rule applied to '<key>-warehouse' (dev-default-warehouse)."""
    serverless: bool = True
    """Serverless compute (warehouse type PRO). false: a PRO warehouse on classic compute.
    Default: true."""
    size: str = "Small"
    """Cluster size: 2X-Small, X-Small, Small, Medium, Large, X-Large, 2X-Large, 3X-Large,
    4X-Large. Default: Small."""
    auto_stop_mins: int = 30
    """Idle minutes before the warehouse stops; 0 never stops. Serverless: at least 1;
    classic: at least 10. Default: 30."""
    min_clusters: int = 1
    """Default: 1."""
    max_clusters: int = 1
    """Clusters for concurrency (multi-cluster load balancing above 1). Default: 1."""
    channel: str = "current"
    """Release channel: current or preview. Default: current."""
    tags: Tags
    """Extra tags; the environment's tags and the platform's keys are added (resolution/tags.py).
    Default: none."""
    permissions: dict[RoleName, WarehouseLevel] = Field(default_factory=dict)  # type: ignore[valid-type]
    """Role -> CAN_VIEW, CAN_MONITOR, CAN_USE, CAN_MANAGE or IS_OWNER. Default: none."""

    @model_validator(mode="after")
    def _rules(self) -> "SqlWarehouseConfig":
        errors: list[Finding] = []
        if self.id is not None:
            if not _WAREHOUSE_ID.match(self.id):
                errors.append(Finding(("id",), "must be a SQL warehouse id (16 hex digits, from the "
                                               "warehouse's connection details)"))
            for key in sorted(self.model_fields_set - {"id", "permissions"}):
                errors.append(Finding((key,), f"{key} only applies to a warehouse the platform creates; "
                                              "this one is referenced by id"))
        else:
            errors += findings_at(("size",), warehouse_size_problem(self.size))
            errors += findings_at(("channel",), channel_problem(self.channel))
            errors += findings_at(("max_clusters",), cluster_bounds_problem(self.min_clusters, self.max_clusters))
            errors += findings_at(("auto_stop_mins",), auto_stop_problem(self.auto_stop_mins, self.serverless))
        raise_findings(errors)
        return self


class NotificationDestinationConfig(Model):
    """A notification destination (databricks_notification_destination), or a reference.

    The secret of a Slack, Teams or generic webhook (its URL) and of PagerDuty (the
    integration key) is never written here: the stack declares a sensitive Terraform variable
    for it (docs/observability.md lists the names)."""

    type: str | None = None
    """email, slack, microsoft_teams, pagerduty or generic_webhook. Required unless ``id``."""
    id: str | None = None
    """Reference a destination managed elsewhere by its id (UUID). Default: unset (created)."""
    display_name: str | None = None
    """Default: the naming rule applied to the key (dev-oncall)."""
    addresses: list[str] = Field(default_factory=list)
    """email only: the addresses notified. Required for email. Default: none (other types)."""
    username: str | None = None
    """generic_webhook only: basic-auth user name (the password comes from a variable).
    Default: none."""
    basic_auth: bool = False
    """generic_webhook only: read a password variable too. Default: false."""

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        """A webhook URL or key written in config is a leaked secret: refuse it, never echo it."""
        if not isinstance(data, dict):
            return data
        errors = []
        for key, value in data.items():
            if key in DESTINATION_SECRET_FIELDS:
                errors.append(((key,), f"'{key}' is a secret and never belongs in config: the stack reads "
                                       "it from a sensitive Terraform variable (docs/observability.md)"))
            elif isinstance(value, str) and _URL.match(value.strip()):
                errors.append(((key,), "a URL in a notification destination is a secret and never belongs "
                                       "in config: the stack reads it from a sensitive Terraform variable "
                                       "(docs/observability.md)"))
        raise_findings(Finding(loc, message) for loc, message in errors)
        return data

    @model_validator(mode="after")
    def _rules(self) -> "NotificationDestinationConfig":
        errors: list[Finding] = []
        if self.id is not None:
            if not UUID.match(self.id):
                errors.append(Finding(("id",), "must be a notification destination id (a UUID)"))
            for key in sorted(self.model_fields_set - {"id", "type"}):
                errors.append(Finding((key,), f"{key} only applies to a destination the platform creates; "
                                              "this one is referenced by id"))
        elif self.type is None:
            errors.append(Finding(("type",), "required key is missing (email, slack, microsoft_teams, "
                                             "pagerduty, generic_webhook), or set id to reference an "
                                             "existing destination"))
        if self.type is not None:
            errors += findings_at(("type",), destination_type_problem(self.type))
        if self.id is None and self.type == "email":
            if not self.addresses:
                errors.append(Finding(("addresses",), "an email destination needs at least one address"))
            for i, address in enumerate(self.addresses):
                if not EMAIL.match(address):
                    errors.append(Finding(("addresses", i), "not an e-mail address"))
        elif self.addresses:
            errors.append(Finding(("addresses",), "addresses only apply to type: email"))
        if self.type != "generic_webhook" and (self.username is not None or self.basic_auth):
            key = "username" if self.username is not None else "basic_auth"
            errors.append(Finding((key,), f"{key} only applies to type: generic_webhook"))
        raise_findings(errors)
        return self

    def secret_fields(self) -> tuple[str, ...]:
        """The fields whose values come from sensitive variables (none when referenced)."""
        if self.id is not None or self.type not in DESTINATION_TYPES:
            return ()
        fields = DESTINATION_TYPES[self.type][3]
        if self.type == "generic_webhook" and self.basic_auth:
            fields = fields + ("password",)
        return fields


def destination_variable(env_name: str, key: str, field: str) -> str:
    """The sensitive Terraform variable holding one destination secret:
    ``notification_<env>_<key>_<field>`` (CI: ``TF_VAR_notification_<env>_<key>_<field>``)."""
    return f"notification_{snake(env_name)}_{snake(key)}_{field}"


class EnvironmentObservabilityConfig(Model):
    """Where the environment's dashboards and alerts run and live."""

    warehouse: Slug | None = None
    """Key of ``sql_warehouses``: the environment's warehouse, used by monitors, dashboards
    and alerts unless a project names another. Default: the only warehouse when there is
    exactly one."""
    parent_path: str | None = None
    """Workspace folder for project dashboards and alerts: <parent_path>/<project>. Default:
    /Shared/mlops/<named project>/observability (the naming rule carries the environment)."""
    embed_credentials: bool = False
    """Whether published dashboards run queries with the publisher's credentials. Default:
    false (each viewer's own access applies)."""

    @field_validator("parent_path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("/") or value.endswith("/")):
            raise ValueError("must be an absolute workspace folder without trailing slash, e.g. /Shared/dashboards")
        return value


def check_environment_observability(env: Any) -> list[tuple[tuple, str]]:
    """Cross-field rules of an environment's warehouses, destinations and observability."""
    errors: list[tuple[tuple, str]] = []
    warehouses = env.sql_warehouses
    if env.observability.warehouse is not None and env.observability.warehouse not in warehouses:
        errors.append((("observability", "warehouse"), unknown_message("warehouse", env.observability.warehouse,
                                                                warehouses, "sql_warehouses")))
    shared = {o.id: name for name, o in env.permissions.sql_warehouses.items()}
    for key, w in warehouses.items():
        if w.id is not None and w.id in shared:
            errors.append((("sql_warehouses", key, "id"),
                           f"warehouse {w.id} already has permissions under permissions.sql_warehouses."
                           f"{shared[w.id]}; manage it in one place"))
    return errors


def environment_warehouse(env: Any) -> str | None:
    """The key of the environment's warehouse: ``observability.warehouse``, else the only one."""
    if env.observability.warehouse is not None:
        return env.observability.warehouse
    return next(iter(env.sql_warehouses)) if len(env.sql_warehouses) == 1 else None


def unknown_message(what: str, name: str, known: Any, section: str) -> str:
    listed = ", ".join(sorted(known)) or "none"
    return f"unknown {what} '{name}' ({section}: {listed})"


# --------------------------------------------------------------------------- project


class AlertScheduleConfig(Model):
    """When an alert's query runs: a Quartz cron expression in a time zone."""

    quartz_cron_expression: QuartzCron = DEFAULT_ALERT_CRON
    """Default: hourly ('0 0 * * * ?')."""
    timezone_id: TimeZoneId = "UTC"
    """Default: UTC."""


class DashboardConfig(Model):
    """The project's Lakeview monitoring dashboard (databricks_dashboard)."""

    enabled: bool = True
    """Default: true."""
    display_name: str | None = None
    """Default: the naming rule applied to '<project> monitoring' (dev-churn monitoring)."""
    warehouse: Slug | None = None
    """Key of the environment's ``sql_warehouses``. Default: the project's ``observability.warehouse``."""
    embed_credentials: bool | None = None
    """Default: the environment's ``observability.embed_credentials`` (false)."""
    predictions_table: str | None = None
    """Batch predictions table charted on the dashboard ('schema.table' like jobs tables).
    Default: the batch inference job's output table when the project has that job; else none."""
    permissions: dict[RoleName, DashboardLevel] = Field(default_factory=dict)  # type: ignore[valid-type]
    """Role -> CAN_READ, CAN_RUN, CAN_EDIT or CAN_MANAGE. Default: none."""


AlertType = Literal["drift", "data_quality", "serving_errors"]


class AlertConfig(Model):
    """One SQL alert (databricks_query + databricks_alert, run by a scheduled job)."""

    type: AlertType
    """drift (a monitor's drift metric above the retraining threshold), data_quality (row
    count or null rate of a monitored table outside bounds) or serving_errors (an endpoint's
    error rate). Required."""
    enabled: bool = True
    """Default: true."""
    monitor: Slug | None = None
    """drift / data_quality: key of the project's ``monitors``. drift default: the monitor
    whose drift table the retraining job reads."""
    endpoint: Slug | None = None
    """serving_errors: key of the project's ``serving.endpoints``. Required there."""
    metric: str | None = None
    """drift: the drift column (default: ``jobs.retraining.drift.metric``, else js_distance);
    data_quality: row_count or null_rate (required)."""
    column: str | None = None
    """data_quality null_rate: the column (required); drift: restrict to one column.
    Default: unset (drift: the largest over all columns)."""
    threshold: float | None = None
    """drift: only when the project has no retraining job (else the retraining job's
    ``drift.threshold`` is the one number both use); serving_errors: the highest error
    rate (0..1) that does not fire (required)."""
    min: float | None = None
    """data_quality: fire below this value. Default: unset."""
    max: float | None = None
    """data_quality: fire above this value. Default: unset. At least one of min and max."""
    window_hours: int = Field(default=24, ge=1, le=720)
    """serving_errors: the trailing window of requests. Default: 24."""
    schedule: AlertScheduleConfig = Field(default_factory=AlertScheduleConfig)
    """Default: hourly, UTC."""
    paused: bool | None = None
    """Default: the environment's ``pause_schedules``."""
    notify: list[str] | None = None
    """Destination keys of the environment, destination ids (UUIDs) or e-mail addresses.
    Default: the project's ``observability.notify``."""
    rearm_seconds: int | None = Field(default=None, ge=0)
    """Seconds before a triggered alert may fire again. Default: unset (fires once until OK)."""
    permissions: dict[RoleName, AlertLevel] | None = None  # type: ignore[valid-type]
    """Role -> CAN_VIEW, CAN_RUN or CAN_MANAGE. Default: the project's
    ``observability.alert_permissions``."""

    @model_validator(mode="after")
    def _shape(self) -> "AlertConfig":
        errors: list[tuple[tuple, str]] = []
        allowed = {"drift": {"monitor", "metric", "column", "threshold"},
                   "data_quality": {"monitor", "metric", "column", "min", "max"},
                   "serving_errors": {"endpoint", "threshold", "window_hours"}}[self.type]
        for key in sorted({"monitor", "endpoint", "metric", "column", "threshold", "min", "max",
                           "window_hours"} & self.model_fields_set - allowed):
            errors.append(((key,), f"{key} does not apply to a {self.type} alert"))
        if self.type == "data_quality":
            if self.monitor is None:
                errors.append((("monitor",), "a data_quality alert names the monitor of its table"))
            if self.metric not in ("row_count", "null_rate"):
                errors.append((("metric",), "a data_quality alert checks metric: row_count or null_rate"))
            if self.metric == "null_rate" and not self.column:
                errors.append((("column",), "null_rate needs the column"))
            if self.metric == "row_count" and self.column:
                errors.append((("column",), "row_count counts the table's rows; remove column"))
            rate = self.metric == "null_rate"
            problem = bounds_problem(self.min, self.max, low=0.0 if rate or self.metric == "row_count" else None,
                                     high=1.0 if rate else None)
            if problem:
                errors.append((("max",) if "max" in self.model_fields_set else ("min",), problem))
        if self.type == "serving_errors":
            if self.endpoint is None:
                errors.append((("endpoint",), "a serving_errors alert names the endpoint"))
            if self.threshold is None:
                errors.append((("threshold",), "a serving_errors alert needs threshold: the highest error "
                                               "rate (0..1) that does not fire"))
            elif not 0.0 <= self.threshold < 1.0:
                errors.append((("threshold",), "an error-rate threshold lies in 0..1 (below 1, or it "
                                               "never fires)"))
        raise_findings(Finding(loc, message) for loc, message in errors)
        return self


class ProjectObservabilityConfig(Model):
    """The project's dashboard and alerts (docs/observability.md)."""

    warehouse: Slug | None = None
    """Key of the environment's ``sql_warehouses`` for this project's dashboard and alerts.
    Default: the environment's warehouse."""
    dashboard: DashboardConfig | None = None
    """Default: none (no dashboard)."""
    alerts: dict[Slug, AlertConfig] = Field(default_factory=dict)
    """Key -> alert. Default: none."""
    notify: list[str] = Field(default_factory=list)
    """Default targets of every alert: destination keys, destination ids or e-mails. Default: none."""
    alert_permissions: dict[RoleName, AlertLevel] = Field(default_factory=dict)  # type: ignore[valid-type]
    """Default permissions of every alert. Default: none."""


def is_target(value: str) -> bool:
    """A notification target as config writes it: a destination key, a UUID or an e-mail."""
    return bool(UUID.match(value) or EMAIL.match(value) or _SLUG.match(value))

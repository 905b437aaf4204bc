"""Lakehouse monitoring configuration: a project's ``monitors`` section.

The same concept as ``databricks_spec.rules.monitoring`` (its provider rules) and
``stacks.serving`` (which composes the monitors), seen from the config layer.

One entry per monitor, keyed by a stable name (the Terraform address derives
from it). A monitor watches one table with exactly one profile:

* ``inference_log`` on a serving endpoint's inference table (``endpoint: <key>``)
  or any table of model requests/predictions;
* ``time_series`` on feature tables (rows carry a timestamp);
* ``snapshot`` on any table (the whole table is profiled each refresh).

Metric tables go to the output schema in the environment's catalog; the drift
metrics table (``<output schema>.<table>_drift_metrics``) feeds the retraining
job (docs/monitoring.md).
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from platform_config.base import Model, TableReference, UcName
from platform_config.quartz import QuartzCron, TimeZoneId
from databricks_spec.enums import CustomMetricType, Granularity, METRIC_OUTPUT_TYPES, ProblemType
from databricks_spec.rules import Finding, absolute_path, monitoring as monitor_rules
from platform_config.rule_adapter import raise_findings
from platform_config.observability import EmailTarget

#: A column name or expression (non-empty).
Column = Annotated[str, StringConstraints(min_length=1)]

#: 'table', 'schema.table' or 'catalog.schema.table'.
TableRef = TableReference

#: Spark SQL types a custom metric may output (rendered as a StructField JSON).
METRIC_TYPES = METRIC_OUTPUT_TYPES

PROFILE_KEYS = monitor_rules.PROFILES


def _raise(findings: list) -> None:
    for f in findings:
        raise ValueError(str(f))


def _granularities(value: list[str]) -> list[str]:
    _raise(monitor_rules.granularities(value))
    return value


#: Time windows of a profile: at least one, no duplicates.
Granularities = Annotated[list[Granularity], AfterValidator(_granularities)]


class InferenceLogConfig(Model):
    """Model quality and drift on a table of model requests and predictions."""

    problem_type: ProblemType
    """Required."""
    prediction_col: Column
    """Column with the model's prediction. Required."""
    timestamp_col: Column
    """Column with the request time. Required."""
    model_id_col: Column
    """Column with the model id or version (metrics are computed per model). Required."""
    label_col: Column | None = None
    """Column with the ground-truth label, when joined in. Default: unset (no quality metrics)."""
    prediction_proba_col: Column | None = None
    """Column with predicted probabilities (classification). Default: unset."""
    granularities: Granularities = Field(default_factory=lambda: ["1 day"])
    """Time windows to aggregate by. Default: ['1 day']."""

    @model_validator(mode="after")
    def _proba(self) -> "InferenceLogConfig":
        if self.prediction_proba_col and self.problem_type != "classification":
            raise_findings([Finding(("prediction_proba_col",),
                                    "prediction_proba_col only applies to problem_type: classification")])
        return self


class TimeSeriesConfig(Model):
    """Data quality and drift over time windows of a table with a timestamp column."""

    timestamp_col: Column
    """Required."""
    granularities: Granularities = Field(default_factory=lambda: ["1 day"])
    """Time windows to aggregate by. Default: ['1 day']."""


class SnapshotConfig(Model):
    """The whole table profiled at each refresh (``snapshot: {}``)."""


class CustomMetricConfig(Model):
    """A custom metric (Databricks docs: Lakehouse Monitoring, 'custom metrics')."""

    type: CustomMetricType
    """aggregate: computed from the table; derived: from aggregate metrics; drift:
    compares windows (``{{current_df}}`` / ``{{base_df}}``). Required."""
    definition: str
    """SQL expression (Jinja template), e.g. 'avg(`{{input_column}}`)'. Required."""
    input_columns: list[Column] = Field(default_factory=lambda: [":table"])
    """Columns the metric is computed on; ':table' for table-level. Default: [':table']."""
    output_type: str = "double"
    """Spark type of the result (double, float, long, integer, int, string, boolean).
    Default: double."""

    @field_validator("output_type")
    @classmethod
    def _output_type(cls, value: str) -> str:
        if value not in METRIC_TYPES:
            raise ValueError(f"unsupported output_type {value!r}; use one of {', '.join(METRIC_TYPES)}")
        return value

    @field_validator("definition")
    @classmethod
    def _definition(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a custom metric needs a SQL definition")
        return value

    def output_data_type(self, name: str) -> str:
        """The provider's output_data_type: a Spark StructField as JSON."""
        return json.dumps({"name": name, "type": self.output_type, "nullable": True, "metadata": {}},
                          separators=(",", ":"))


class MonitorScheduleConfig(Model):
    """When metrics refresh: a Quartz cron expression in a time zone."""

    quartz_cron_expression: QuartzCron
    """Quartz cron (seconds minutes hours day-of-month month day-of-week [year]),
    e.g. '0 0 6 * * ?' = daily at 06:00. Required."""
    timezone_id: TimeZoneId = "UTC"
    """Java time zone id, e.g. Europe/Berlin. Default: UTC."""


class MonitorNotificationsConfig(Model):
    """E-mails the monitor sends."""

    on_failure: list[EmailTarget] = Field(default_factory=list)
    """E-mail addresses, or keys of the environment's email notification destinations
    (docs/observability.md), notified when a refresh fails. Default: none."""
    on_new_classification_tag_detected: list[EmailTarget] = Field(default_factory=list)
    """Notified when data classification finds new tags. Default: none."""


class MonitorConfig(Model):
    """One Lakehouse monitor (databricks_quality_monitor)."""

    enabled: bool = True
    """Deploy this monitor in the environment. Default: true."""
    table: TableRef | None = None
    """Monitored table: 'table' (in the project's schema), 'schema.table' (in the
    environment's catalog) or 'catalog.schema.table'. Exactly one of table and
    endpoint. Changing it replaces the monitor."""
    endpoint: str | None = None
    """Key of one of the project's serving endpoints: monitor its inference table."""
    table_suffix: str = "_payload"
    """With endpoint: the monitored table is '<inference table prefix><suffix>', e.g.
    '_payload_processed' for a table a processing job unpacks. Default: '_payload'."""
    inference_log: InferenceLogConfig | None = None
    """Model quality and drift profile. Exactly one profile."""
    time_series: TimeSeriesConfig | None = None
    """Time-window data quality profile. Exactly one profile."""
    snapshot: SnapshotConfig | None = None
    """Whole-table profile. Exactly one profile."""
    schedule: MonitorScheduleConfig | None = None
    """Refresh schedule. Default: none (refresh on demand or from a job)."""
    paused: bool | None = None
    """Whether the schedule is paused. The provider cannot set a paused state, so a
    paused monitor is deployed without its schedule. Default: the environment's
    pause_schedules."""
    notifications: MonitorNotificationsConfig = Field(default_factory=MonitorNotificationsConfig)
    """E-mails the monitor sends. Default: none."""
    slicing_exprs: list[Column] = Field(default_factory=list)
    """Expressions to slice metrics by, e.g. 'region', 'tenure_months > 12'. Default: none."""
    custom_metrics: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
                         CustomMetricConfig] = Field(default_factory=dict)
    """Metric name -> metric. Default: none."""
    baseline_table: TableRef | None = None
    """Table drift is computed against (same columns); resolved like ``table``.
    Default: none (drift between consecutive windows)."""
    output_schema: UcName | None = None
    """Schema in the environment's catalog for the metric tables. Default: the
    project's model schema."""
    assets_dir: str | None = None
    """Workspace folder for the dashboard and assets. Default:
    /Shared/mlops/<named project>/monitors/<key>."""
    warehouse_id: str | None = None
    """SQL warehouse for the monitor's dashboard (cannot change after creation). Default: the
    warehouse the project names in ``observability.warehouse`` (docs/observability.md); without
    one, none is set (Databricks uses the first running warehouse), never the environment's."""
    skip_builtin_dashboard: bool = False
    """Do not create the default dashboard (cannot change after creation). Default: false."""
    data_classification: bool = False
    """Enable data classification on the table. Default: false."""

    @field_validator("slicing_exprs")
    @classmethod
    def _slices(cls, value: list[str]) -> list[str]:
        _raise(monitor_rules.unique(value, "slicing expression"))
        return value

    @field_validator("assets_dir")
    @classmethod
    def _assets_dir(cls, value: str | None) -> str | None:
        if value is not None:
            _raise(absolute_path(value, "assets_dir", "/Shared/mlops/churn/monitors"))
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _one_profile_one_table(self, info: ValidationInfo) -> "MonitorConfig":
        profiles = [k for k in PROFILE_KEYS if getattr(self, k) is not None]
        problems = monitor_rules.one_profile(profiles)
        if (self.table is None) == (self.endpoint is None):
            loc = ("endpoint",) if self.table is not None else ()
            problems.append(Finding(loc, "set exactly one of table (a table name) and endpoint (monitor "
                                  "that serving endpoint's inference table)"))
        if self.endpoint is not None and self.inference_log is None and profiles:
            problems.append(Finding((profiles[0],), "a monitor on an endpoint's inference table uses the "
                                             "inference_log profile"))
        if self.paused is False and self.schedule is None:
            problems.append(Finding(("paused",), "paused: false needs a schedule"))
        if problems:
            raise_findings(problems)
        return self


def check_monitor_endpoints(monitors: dict[str, MonitorConfig], serving) -> None:
    """Every ``endpoint:`` a monitor names is a project endpoint with an inference table,
    and no two monitors watch the same table."""
    problems = []
    endpoints = serving.endpoints if serving is not None else {}
    for key, monitor in monitors.items():
        if monitor.endpoint is None:
            continue
        endpoint = endpoints.get(monitor.endpoint)
        if endpoint is None:
            known = ", ".join(sorted(endpoints)) or "none"
            problems.append(Finding((key, "endpoint"), f"no serving endpoint '{monitor.endpoint}' in this "
                                                f"project (serving.endpoints: {known})"))
        elif not endpoint.inference_table.enabled:
            problems.append(Finding((key, "endpoint"), f"endpoint '{monitor.endpoint}' has "
                                                "inference_table.enabled: false; nothing to monitor"))
    seen: dict[tuple, str] = {}
    for key, monitor in monitors.items():
        target = ("table", monitor.table) if monitor.table else ("endpoint", monitor.endpoint, monitor.table_suffix)
        if target in seen:
            where = "table" if monitor.table else "endpoint"
            problems.append(Finding((key, where), f"monitor '{seen[target]}' already watches this table; a table "
                                           "has at most one monitor (its id is the table name)"))
        seen.setdefault(target, key)
    if problems:
        raise_findings(problems)

"""QualityMonitor: a Lakehouse monitor on one Unity Catalog table.

Emits databricks_quality_monitor (databricks_lakehouse_monitor is deprecated in
the provider) with exactly one profile: inference_log, time_series or
snapshot. Metric tables land in ``output_schema_name``:
``<table>_profile_metrics`` and ``<table>_drift_metrics``; the latter is what the
retraining job's drift check reads (its name, known before the monitor exists, is
derived by the resolution layer: resolution.names.drift_metrics_table).

The provider exposes no paused state for a monitor schedule (``pause_status`` is
read-only), so a paused monitor is emitted without its schedule and refreshes
only on demand; an info annotation names the schedule it would use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from mlops_engine import Annotations
from mlops_engine.databricks import (
    QualityMonitor as QualityMonitorResource, QualityMonitorCustomMetrics,
    QualityMonitorDataClassificationConfig, QualityMonitorInferenceLog,
    QualityMonitorNotifications, QualityMonitorNotificationsOnFailure,
    QualityMonitorNotificationsOnNewClassificationTagDetected, QualityMonitorSchedule,
    QualityMonitorSnapshot, QualityMonitorTimeSeries
)
from mlops_constructs.uc_names import is_full_name, is_schema_full_name

from databricks_spec.enums import CUSTOM_METRIC_TYPE_VALUES, GRANULARITIES, PROBLEM_TYPE_VALUES, CustomMetricType, Granularity, ProblemType
from databricks_spec.quartz import QuartzError, validate_quartz
from databricks_spec.rules import Finding, absolute_path, allowed, monitoring as monitor_rules
from mlops_constructs.rule_adapter import known, refuse
from mlops_constructs.unit import FlatUnit, Scope



@dataclass(frozen=True, kw_only=True)
class InferenceLogSpec:
    """inference_log profile: model requests and predictions."""

    problem_type: ProblemType
    """classification or regression."""
    prediction_col: str
    timestamp_col: str
    model_id_col: str
    label_col: str | None = None
    """Default: unset (no model quality metrics)."""
    prediction_proba_col: str | None = None
    """Default: unset."""
    granularities: tuple[Granularity, ...] = ("1 day",)
    """Default: ('1 day',)."""


@dataclass(frozen=True, kw_only=True)
class TimeSeriesSpec:
    """time_series profile: rows with a timestamp, aggregated per window."""

    timestamp_col: str
    granularities: tuple[Granularity, ...] = ("1 day",)
    """Default: ('1 day',)."""


@dataclass(frozen=True, kw_only=True)
class SnapshotSpec:
    """snapshot profile: the whole table each refresh."""


@dataclass(frozen=True, kw_only=True)
class CustomMetricSpec:
    name: str
    type: CustomMetricType
    """aggregate, derived or drift."""
    definition: str
    output_data_type: str
    """Spark StructField as JSON."""
    input_columns: tuple[str, ...] = (":table",)
    """Default: (':table',)."""


@dataclass(frozen=True, kw_only=True)
class MonitorScheduleSpec:
    quartz_cron_expression: str
    timezone_id: str = "UTC"
    """Default: UTC."""


@dataclass(frozen=True, kw_only=True)
class QualityMonitorProps:
    """One monitor: table, profile, outputs, schedule and notifications."""

    table_name: str
    """Monitored table, catalog.schema.table."""
    output_schema_name: str
    """catalog.schema for the metric tables."""
    assets_dir: str
    """Absolute workspace folder for the dashboard and assets."""
    inference_log: InferenceLogSpec | None = None
    """Default: unset. Exactly one of inference_log, time_series, snapshot."""
    time_series: TimeSeriesSpec | None = None
    """Default: unset."""
    snapshot: SnapshotSpec | None = None
    """Default: unset."""
    schedule: MonitorScheduleSpec | None = None
    """Default: none (refresh on demand)."""
    paused: bool = False
    """Deploy without the schedule (the provider cannot pause one). Default: false."""
    notify_on_failure: tuple[str, ...] = ()
    """Default: none."""
    notify_on_new_classification_tag: tuple[str, ...] = ()
    """Default: none."""
    slicing_exprs: tuple[str, ...] = ()
    """Default: none."""
    custom_metrics: tuple[CustomMetricSpec, ...] = ()
    """Default: none."""
    baseline_table_name: str | None = None
    """Default: none."""
    warehouse_id: str | None = None
    """Default: the first running warehouse."""
    skip_builtin_dashboard: bool = False
    """Default: false."""
    data_classification: bool = False
    """Default: false."""
    depends_on: tuple[Any, ...] = ()
    """Resources that must exist first, e.g. the serving endpoint creating the
    inference table. Default: none."""


# <output schema>.<table>_drift_metrics is named by the resolution layer (resolution.names.drift_metrics_table).


def _check(p: QualityMonitorProps) -> list[Finding]:
    """The provider's monitor rules (databricks_spec.rules.monitoring) on the props."""
    out = monitor_rules.one_profile(k for k in monitor_rules.PROFILES if getattr(p, k) is not None)
    if not is_full_name(p.table_name):
        out.append(Finding(("table_name",), f"table_name must be catalog.schema.table, got {p.table_name!r}"))
    if p.baseline_table_name is not None and not is_full_name(p.baseline_table_name):
        out.append(Finding(("baseline_table_name",),
                           f"baseline_table_name must be catalog.schema.table, got {p.baseline_table_name!r}"))
    if not is_schema_full_name(p.output_schema_name):
        out.append(Finding(("output_schema_name",),
                           f"output_schema_name must be catalog.schema, got {p.output_schema_name!r}"))
    if known(p.assets_dir):
        out += [f.at("assets_dir") for f in absolute_path(p.assets_dir, "assets_dir", "/Shared/mlops/churn/monitors")]
    profile = p.inference_log or p.time_series
    if profile is not None:
        out += [f.at("granularities") for f in monitor_rules.granularities(list(profile.granularities))]
    if p.inference_log is not None:
        out += allowed("problem_type", p.inference_log.problem_type, PROBLEM_TYPE_VALUES)
    for m in p.custom_metrics:
        out += [f.at("custom_metrics", m.name) for f in allowed("type", m.type, CUSTOM_METRIC_TYPE_VALUES)]
    out += [f.at("custom_metrics") for f in monitor_rules.unique([m.name for m in p.custom_metrics],
                                                                 "custom metric name")]
    if p.schedule is not None:
        try:
            validate_quartz(p.schedule.quartz_cron_expression)
        except QuartzError as exc:
            out.append(Finding(("schedule",), f"schedule: {exc}"))
    return out


def _emails(addresses: Sequence[str]) -> list[str] | None:
    return sorted(set(addresses)) or None


def _windows(granularities: Sequence[str]) -> list[str]:
    """Granularities shortest first, so YAML order never shows up in a plan."""
    return sorted(set(granularities), key=GRANULARITIES.index)


class QualityMonitor(FlatUnit):
    """databricks_quality_monitor with one profile."""

    def __init__(self, scope: Scope, id: str, props: QualityMonitorProps):
        super().__init__(scope, id)
        refuse(self, _check(props))
        schedule = None
        if props.schedule is not None and not props.paused:
            schedule = [QualityMonitorSchedule(
                quartz_cron_expression=props.schedule.quartz_cron_expression,
                timezone_id=props.schedule.timezone_id)]
        notice = None
        if props.schedule is not None and props.paused:
            notice = (
                f"monitor on {props.table_name} is paused: deployed without its schedule "
                f"'{props.schedule.quartz_cron_expression}' ({props.schedule.timezone_id}); "
                "metrics refresh only on demand")

        notifications = None
        if props.notify_on_failure or props.notify_on_new_classification_tag:
            notifications = [QualityMonitorNotifications(
                on_failure=[QualityMonitorNotificationsOnFailure(
                    email_addresses=_emails(props.notify_on_failure))] if props.notify_on_failure else None,
                on_new_classification_tag_detected=[
                    QualityMonitorNotificationsOnNewClassificationTagDetected(
                        email_addresses=_emails(props.notify_on_new_classification_tag))]
                if props.notify_on_new_classification_tag else None)]

        inference = None
        if props.inference_log is not None:
            il = props.inference_log
            inference = [QualityMonitorInferenceLog(
                problem_type=PROBLEM_TYPE_VALUES[il.problem_type], prediction_col=il.prediction_col,
                timestamp_col=il.timestamp_col, model_id_col=il.model_id_col, label_col=il.label_col,
                prediction_proba_col=il.prediction_proba_col, granularities=_windows(il.granularities))]

        self.resource = QualityMonitorResource(*self.at("Resource"),
            table_name=props.table_name,
            output_schema_name=props.output_schema_name,
            assets_dir=props.assets_dir,
            inference_log=inference,
            time_series=[QualityMonitorTimeSeries(
                timestamp_col=props.time_series.timestamp_col,
                granularities=_windows(props.time_series.granularities))] if props.time_series else None,
            snapshot=[QualityMonitorSnapshot()] if props.snapshot is not None else None,
            schedule=schedule,
            notifications=notifications,
            slicing_exprs=sorted(set(props.slicing_exprs)) or None,
            custom_metrics=[QualityMonitorCustomMetrics(
                name=m.name, type=CUSTOM_METRIC_TYPE_VALUES[m.type], definition=m.definition,
                input_columns=sorted(set(m.input_columns)), output_data_type=m.output_data_type)
                for m in sorted(props.custom_metrics, key=lambda m: m.name)] or None,
            baseline_table_name=props.baseline_table_name,
            warehouse_id=props.warehouse_id,
            skip_builtin_dashboard=props.skip_builtin_dashboard or None,
            data_classification_config=[QualityMonitorDataClassificationConfig(enabled=True)]
            if props.data_classification else None,
            depends_on=list(props.depends_on) or None,
        )
        if notice:  # on the resource: a flat unit is not a construct (mlops_constructs.unit)
            Annotations.of(self.resource).add_info(notice)

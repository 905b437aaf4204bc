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
from constructs import Construct
from mlops_constructs.uc_names import is_full_name, is_schema_full_name

from databricks_spec.quartz import QuartzError, validate_quartz

#: Aggregation windows Lakehouse Monitoring accepts, shortest first.
GRANULARITIES = ("5 minutes", "30 minutes", "1 hour", "1 day", "1 week", "2 weeks", "3 weeks",
                 "4 weeks", "1 month", "1 year")
PROBLEM_TYPES = {"classification": "PROBLEM_TYPE_CLASSIFICATION",
                 "regression": "PROBLEM_TYPE_REGRESSION"}
METRIC_TYPES = {"aggregate": "CUSTOM_METRIC_TYPE_AGGREGATE",
                "derived": "CUSTOM_METRIC_TYPE_DERIVED",
                "drift": "CUSTOM_METRIC_TYPE_DRIFT"}
_DOCS = "provider docs: quality_monitor"


@dataclass(frozen=True, kw_only=True)
class InferenceLog:
    """inference_log profile: model requests and predictions."""

    problem_type: str
    """classification or regression."""
    prediction_col: str
    timestamp_col: str
    model_id_col: str
    label_col: str | None = None
    """Default: unset (no model quality metrics)."""
    prediction_proba_col: str | None = None
    """Default: unset."""
    granularities: tuple[str, ...] = ("1 day",)
    """Default: ('1 day',)."""


@dataclass(frozen=True, kw_only=True)
class TimeSeries:
    """time_series profile: rows with a timestamp, aggregated per window."""

    timestamp_col: str
    granularities: tuple[str, ...] = ("1 day",)
    """Default: ('1 day',)."""


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """snapshot profile: the whole table each refresh."""


@dataclass(frozen=True, kw_only=True)
class CustomMetric:
    name: str
    type: str
    """aggregate, derived or drift."""
    definition: str
    output_data_type: str
    """Spark StructField as JSON."""
    input_columns: tuple[str, ...] = (":table",)
    """Default: (':table',)."""


@dataclass(frozen=True, kw_only=True)
class MonitorSchedule:
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
    inference_log: InferenceLog | None = None
    """Default: unset. Exactly one of inference_log, time_series, snapshot."""
    time_series: TimeSeries | None = None
    """Default: unset."""
    snapshot: Snapshot | None = None
    """Default: unset."""
    schedule: MonitorSchedule | None = None
    """Default: none (refresh on demand)."""
    paused: bool = False
    """Deploy without the schedule (the provider cannot pause one). Default: false."""
    notify_on_failure: tuple[str, ...] = ()
    """Default: none."""
    notify_on_new_classification_tag: tuple[str, ...] = ()
    """Default: none."""
    slicing_exprs: tuple[str, ...] = ()
    """Default: none."""
    custom_metrics: tuple[CustomMetric, ...] = ()
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


def _check(path: str, p: QualityMonitorProps) -> list[str]:
    errors = []
    profiles = [k for k in ("inference_log", "time_series", "snapshot") if getattr(p, k) is not None]
    if len(profiles) != 1:
        errors.append(f"exactly one profile (inference_log, time_series or snapshot) is required, "
                      f"got {', '.join(profiles) or 'none'} ({_DOCS}, 'Argument Reference')")
    if not is_full_name(p.table_name):
        errors.append(f"table_name must be catalog.schema.table, got {p.table_name!r}")
    if p.baseline_table_name is not None and not is_full_name(p.baseline_table_name):
        errors.append(f"baseline_table_name must be catalog.schema.table, got {p.baseline_table_name!r}")
    if not is_schema_full_name(p.output_schema_name):
        errors.append(f"output_schema_name must be catalog.schema, got {p.output_schema_name!r}")
    if not p.assets_dir.startswith("/"):
        errors.append(f"assets_dir must be an absolute workspace path, got {p.assets_dir!r}")
    profile = p.inference_log or p.time_series
    if profile is not None:
        if not profile.granularities:
            errors.append("at least one granularity is required")
        bad = sorted(set(profile.granularities) - set(GRANULARITIES))
        if bad:
            errors.append(f"unsupported granularities {', '.join(bad)}; valid: {', '.join(GRANULARITIES)}")
    if p.inference_log is not None and p.inference_log.problem_type not in PROBLEM_TYPES:
        errors.append(f"problem_type must be classification or regression, got "
                      f"{p.inference_log.problem_type!r}")
    for m in p.custom_metrics:
        if m.type not in METRIC_TYPES:
            errors.append(f"custom metric {m.name}: type must be one of {', '.join(METRIC_TYPES)}")
    names = [m.name for m in p.custom_metrics]
    if len(set(names)) != len(names):
        errors.append("custom metric names must be unique")
    if p.schedule is not None:
        try:
            validate_quartz(p.schedule.quartz_cron_expression)
        except QuartzError as exc:
            errors.append(f"schedule: {exc}")
    return [f"{path}: {e}" for e in errors]


def _emails(addresses: Sequence[str]) -> list[str] | None:
    return sorted(set(addresses)) or None


def _windows(granularities: Sequence[str]) -> list[str]:
    """Granularities shortest first, so YAML order never shows up in a plan."""
    return sorted(set(granularities), key=GRANULARITIES.index)


class QualityMonitor(Construct):
    """databricks_quality_monitor with one profile."""

    def __init__(self, scope: Construct, id: str, props: QualityMonitorProps):
        super().__init__(scope, id)
        errors = _check(self.node.path, props)
        if errors:
            raise ValueError("\n".join(errors))
        schedule = None
        if props.schedule is not None and not props.paused:
            schedule = [QualityMonitorSchedule(
                quartz_cron_expression=props.schedule.quartz_cron_expression,
                timezone_id=props.schedule.timezone_id)]
        elif props.schedule is not None:
            Annotations.of(self).add_info(
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
                problem_type=PROBLEM_TYPES[il.problem_type], prediction_col=il.prediction_col,
                timestamp_col=il.timestamp_col, model_id_col=il.model_id_col, label_col=il.label_col,
                prediction_proba_col=il.prediction_proba_col, granularities=_windows(il.granularities))]

        self.resource = QualityMonitorResource(
            self, "Resource",
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
                name=m.name, type=METRIC_TYPES[m.type], definition=m.definition,
                input_columns=sorted(set(m.input_columns)), output_data_type=m.output_data_type)
                for m in sorted(props.custom_metrics, key=lambda m: m.name)] or None,
            baseline_table_name=props.baseline_table_name,
            warehouse_id=props.warehouse_id,
            skip_builtin_dashboard=props.skip_builtin_dashboard or None,
            data_classification_config=[QualityMonitorDataClassificationConfig(enabled=True)]
            if props.data_classification else None,
            depends_on=list(props.depends_on) or None,
        )

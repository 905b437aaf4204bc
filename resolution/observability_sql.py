"""The SQL text of the observability alerts and the project's Lakeview dashboard document.

Part of the same concept as ``resolution.observability`` (which decides names, thresholds and
targets and calls these), split out as the pure text generation: every query and the dashboard
JSON are built here from resolved monitors and endpoints, deterministically (byte-stable).
"""

from __future__ import annotations

from typing import Mapping

from databricks_spec import lakeview
from platform_config import EnvironmentConfig
from resolution.serving import ResolvedEndpoint, ResolvedMonitor

#: Lakehouse Monitoring writes table-level metrics under this column name.
TABLE_COLUMN = ":table"


def quote_table(full_name: str) -> str:
    """`catalog`.`schema`.`table` (names are validated identifiers; backticks doubled anyway)."""
    return ".".join(f"`{part.replace('`', '``')}`" for part in full_name.split("."))


def quote_column(name: str) -> str:
    return f"`{name.replace('`', '``')}`"


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def profile_metrics_table(monitor: ResolvedMonitor) -> str:
    """<output schema>.<monitored table's short name>_profile_metrics (Lakehouse Monitoring)."""
    return f"{monitor.output_schema_full_name}.{monitor.table_name.rsplit('.', 1)[-1]}_profile_metrics"


def payload_table(env: EnvironmentConfig, ep: ResolvedEndpoint) -> str:
    """The endpoint's inference table: <catalog>.<schema>.<prefix>_payload."""
    return f"{env.catalog.name}.{ep.inference_schema.name}.{ep.inference_table_prefix}_payload"


def monitor_granularity(monitor: ResolvedMonitor) -> str | None:
    cfg = monitor.config
    profile = cfg.inference_log or cfg.time_series
    return profile.granularities[0] if profile is not None else None


def _latest(table: str, extra: str = "") -> str:
    return f"window.end = (SELECT max(window.end) FROM {table}{extra})"


# --- SQL of the alerts


def drift_sql(table: str, metric: str, op: str, column: str | None) -> str:
    """Largest (GREATER_*) or smallest (LESS_*) drift metric of the latest window, per column."""
    agg = "min" if op.startswith("LESS") else "max"
    t = quote_table(table)
    where = [f"column_name != {sql_string(TABLE_COLUMN)}", "slice_key IS NULL"]
    if column:
        where.append(f"column_name = {sql_string(column)}")
    return (f"SELECT {agg}({quote_column(metric)}) AS drift\nFROM {t}\nWHERE " + "\n  AND ".join(where)
            + f"\n  AND {_latest(t)}")


def quality_sql(table: str, metric: str, column: str | None, granularity: str | None,
                minimum: float | None, maximum: float | None) -> str:
    """1 when the latest window's row count / null rate is outside [min, max], with the value."""
    t = quote_table(table)
    where = ["slice_key IS NULL"]
    if granularity:
        where.append(f"granularity = {sql_string(granularity)}")
    if metric == "row_count":
        value, where = "max(`count`)", [f"column_name = {sql_string(TABLE_COLUMN)}"] + where
    else:
        value = "max(num_nulls / `count`)"
        where = [f"column_name = {sql_string(column or '')}", "`count` > 0"] + where
    outside = [f"value < {minimum!r}" if minimum is not None else "", f"value > {maximum!r}" if maximum is not None else ""]
    cond = " OR ".join(c for c in outside if c)
    return (f"SELECT CASE WHEN {cond} THEN 1 ELSE 0 END AS out_of_bounds, value\nFROM (\n"
            f"  SELECT {value} AS value\n  FROM {t}\n  WHERE " + "\n    AND ".join(where)
            + f"\n    AND {_latest(t)}\n)")


def error_rate_sql(table: str, window_hours: int) -> str:
    """Share of requests answered with HTTP status >= 400 in the trailing window."""
    return ("SELECT coalesce(avg(CASE WHEN status_code >= 400 THEN 1.0 ELSE 0.0 END), 0.0) AS error_rate\n"
            f"FROM {quote_table(table)}\n"
            f"WHERE request_time >= current_timestamp() - INTERVAL {int(window_hours)} HOURS")


# --- the dashboard document


def _serving_sql(table: str) -> str:
    return ("SELECT date_trunc('HOUR', p.request_time) AS hour,\n"
            "  coalesce(e.entity_version, p.served_entity_id) AS model_version,\n"
            "  count(*) AS requests,\n"
            "  percentile_approx(p.execution_duration_ms, 0.95) AS p95_latency_ms,\n"
            "  avg(CASE WHEN p.status_code >= 400 THEN 1.0 ELSE 0.0 END) AS error_rate\n"
            f"FROM {quote_table(table)} p\n"
            "LEFT JOIN system.serving.served_entities e ON p.served_entity_id = e.served_entity_id\n"
            "GROUP BY 1, 2")


def _monitor_sections(key: str, m: ResolvedMonitor, drift_metric: str) -> tuple[list, lakeview.Section]:
    profile, drift = quote_table(profile_metrics_table(m)), quote_table(m.drift_metrics_table)
    n = names_id(key)
    gran = monitor_granularity(m)
    gran_where = f"\n  AND granularity = {sql_string(gran)}" if gran else ""
    datasets = [
        lakeview.Dataset(f"{n}_rows", f"{key}: rows per window",
                         f"SELECT window.start AS window_start, `count` AS row_count\nFROM {profile}\n"
                         f"WHERE column_name = {sql_string(TABLE_COLUMN)}\n  AND slice_key IS NULL{gran_where}"),
        lakeview.Dataset(f"{n}_nulls", f"{key}: null rate per column",
                         "SELECT window.start AS window_start, column_name, num_nulls / `count` AS null_rate\n"
                         f"FROM {profile}\nWHERE column_name != {sql_string(TABLE_COLUMN)}\n"
                         f"  AND slice_key IS NULL\n  AND `count` > 0{gran_where}"),
        lakeview.Dataset(f"{n}_drift", f"{key}: {drift_metric} per column",
                         f"SELECT window.start AS window_start, column_name, {quote_column(drift_metric)} AS drift\n"
                         f"FROM {drift}\nWHERE column_name != {sql_string(TABLE_COLUMN)}\n"
                         f"  AND slice_key IS NULL\n  AND drift_type = 'CONSECUTIVE'{gran_where}"),
    ]
    section = lakeview.Section(f"{n}_heading", f"Monitor {key}: {m.table_name}", (
        lakeview.Chart(f"{n}_rows_chart", "Rows per window", f"{n}_rows", "line", x="window_start", y="row_count"),
        lakeview.Chart(f"{n}_nulls_chart", "Null rate", f"{n}_nulls", "line", x="window_start", y="null_rate",
                       color="column_name"),
        lakeview.Chart(f"{n}_drift_chart", f"Drift ({drift_metric})", f"{n}_drift", "line", x="window_start",
                       y="drift", color="column_name"),
    ))
    return datasets, section


def names_id(key: str) -> str:
    """A config key as a Lakeview name ('-' -> '_')."""
    return key.replace("-", "_")


def dashboard_document(title: str, monitors: Mapping[str, ResolvedMonitor],
                       serving: Mapping[str, str], predictions_table: str | None,
                       drift_metric: str) -> lakeview.Document:
    """Panels: each monitor's profile (rows, null rate) and drift metrics; each serving
    endpoint's requests, p95 latency and error rate by model version; the batch predictions'
    rows when named. ``serving``: endpoint key -> its inference (payload) table."""
    datasets, sections = [], []
    for key, m in monitors.items():
        ds, section = _monitor_sections(key, m, drift_metric)
        datasets += ds
        sections.append(section)
    for key, table in serving.items():
        n = f"serving_{names_id(key)}"
        datasets.append(lakeview.Dataset(n, f"endpoint {key}: requests by model version", _serving_sql(table)))
        sections.append(lakeview.Section(f"{n}_heading", f"Serving endpoint {key}: {table}", (
            lakeview.Chart(f"{n}_requests", "Requests per hour", n, "bar", x="hour", y="requests",
                           color="model_version"),
            lakeview.Chart(f"{n}_latency", "p95 latency (ms)", n, "line", x="hour", y="p95_latency_ms",
                           color="model_version"),
            lakeview.Chart(f"{n}_errors", "Error rate", n, "line", x="hour", y="error_rate",
                           color="model_version"),
        )))
    if predictions_table:
        datasets.append(lakeview.Dataset("predictions", "batch predictions: rows",
                                         f"SELECT count(*) AS predictions\nFROM {quote_table(predictions_table)}"))
        sections.append(lakeview.Section("predictions_heading", f"Batch predictions: {predictions_table}", (
            lakeview.Chart("predictions_rows", "Predictions", "predictions", "counter", y="predictions"),)))
    return lakeview.Document(page_name="monitoring", page_title=title, datasets=tuple(datasets),
                             sections=tuple(sections))

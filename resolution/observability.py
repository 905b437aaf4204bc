"""Observability resolved: the environment's SQL warehouses and notification destinations,
and each project's monitoring dashboard (its Lakeview document) and SQL alerts (query text,
condition, schedule, pause state, targets, permissions).

Pure (no jsii): every name, table, SQL text and threshold is decided here; stacks/observability.py
maps the values to construct props and wires ids (``WarehouseRef``/``DestinationRef`` keys become
tokens through StackRefs).

Same concept as platform_config/observability.py (config) and stacks/observability.py
(composition), seen from the resolution layer; resolution.observability_sql writes its SQL and
the dashboard document.

The drift alert and the retraining job share one number: the alert's threshold, metric and
comparison ARE ``jobs.retraining.drift`` when the project has a retraining job (config refuses
a second threshold), so the alert fires exactly when retraining would start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from databricks_spec import lakeview
from databricks_spec.observability import CHANNELS, DESTINATION_TYPES
from databricks_spec.privileges import WORKSPACE_OBJECTS
from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.governance import UUID
from platform_config.observability import (AlertConfig, destination_variable, environment_warehouse)
from resolution import names
from resolution.jobs import JobTables
from resolution.observability_sql import (dashboard_document, drift_sql, error_rate_sql, monitor_granularity,
                                          payload_table, profile_metrics_table, quality_sql)
from resolution.principals import Member, level_map, members
from resolution.serving import ResolvedEndpoint, ResolvedMonitor
from resolution.tags import environment_tags, unit_tags

WAREHOUSE_LEVELS = WORKSPACE_OBJECTS["sql_warehouse"][1]
DASHBOARD_LEVELS = WORKSPACE_OBJECTS["dashboard"][1]
ALERT_LEVELS = WORKSPACE_OBJECTS["sql_alert"][1]


# ------------------------------------------------------------------ environment


@dataclass(frozen=True)
class ResolvedWarehouse:
    key: str
    """Key in ``sql_warehouses``: the construct id is ``sql_warehouse_<key>``."""
    create: bool
    id: str | None
    """The literal id of a referenced warehouse; None when created."""
    name: str | None
    """Created: ``name``, default the naming rule applied to '<key>-warehouse'."""
    serverless: bool
    size: str
    auto_stop_mins: int
    min_clusters: int
    max_clusters: int
    channel: str
    """The provider's channel name (CHANNEL_NAME_CURRENT / CHANNEL_NAME_PREVIEW)."""
    tags: Mapping[str, str]
    """Environment tags < the warehouse's tags < the platform's keys (resolution.tags)."""
    permissions: Mapping[Member, str]


@dataclass(frozen=True)
class ResolvedDestination:
    key: str
    """Key in ``notification_destinations``: the construct id is ``notification_destination_<key>``."""
    create: bool
    id: str | None
    """The literal id of a destination managed elsewhere."""
    display_name: str
    """Created: ``display_name``, default the naming rule applied to the key."""
    type: str | None
    config_block: str | None
    """The resource's config block (email, slack, microsoft_teams, pagerduty, generic_webhook)."""
    lookup_type: str | None
    """The data source's ``type`` filter (EMAIL, SLACK, MICROSOFT_TEAMS, PAGERDUTY, WEBHOOK)."""
    addresses: tuple[str, ...]
    username: str | None
    variables: Mapping[str, str]
    """Secret field -> the sensitive Terraform variable the stack declares for it."""


@dataclass(frozen=True)
class ResolvedObservabilityEnvironment:
    warehouses: Mapping[str, ResolvedWarehouse]
    """By key, sorted."""
    destinations: Mapping[str, ResolvedDestination]
    """By key, sorted."""
    default_warehouse: str | None
    """The environment's warehouse key (``observability.warehouse``, else the only one)."""


def resolve_environment_observability(env: EnvironmentConfig) -> ResolvedObservabilityEnvironment:
    warehouses = {}
    for key, w in sorted(env.sql_warehouses.items()):
        warehouses[key] = ResolvedWarehouse(
            key=key, create=w.id is None, id=w.id,
            name=None if w.id else (w.name or names.environment_object_name(env, f"{key}-warehouse")),
            serverless=w.serverless, size=w.size, auto_stop_mins=w.auto_stop_mins,
            min_clusters=w.min_clusters, max_clusters=w.max_clusters, channel=CHANNELS.get(w.channel, w.channel),
            tags=environment_tags(env, w.tags),
            permissions=level_map(env, env.roles, w.permissions, WAREHOUSE_LEVELS))
    destinations = {}
    for key, d in sorted(env.notification_destinations.items()):
        block = DESTINATION_TYPES[d.type] if d.type in DESTINATION_TYPES else None
        destinations[key] = ResolvedDestination(
            key=key, create=d.id is None, id=d.id, display_name=d.display_name or names.environment_object_name(env, key),
            type=d.type, config_block=block[0] if block else None, lookup_type=block[1] if block else None,
            addresses=tuple(d.addresses), username=d.username,
            variables={f: destination_variable(env.name, key, f) for f in d.secret_fields()})
    return ResolvedObservabilityEnvironment(warehouses=warehouses, destinations=destinations,
                                            default_warehouse=environment_warehouse(env))


# ------------------------------------------------------------------ project


@dataclass(frozen=True)
class Target:
    """Who an alert notifies: a destination (by key, or a literal id) or a user (e-mail)."""

    kind: str
    """destination_key, destination_id or user_name."""
    value: str


@dataclass(frozen=True)
class ResolvedDashboard:
    display_name: str
    parent_path: str
    warehouse: str
    """Key of the environment's warehouse it runs on."""
    embed_credentials: bool
    serialized: str
    """The Lakeview document, byte-stable (databricks_spec.lakeview.serialize)."""
    permissions: Mapping[Member, str]
    tables: tuple[str, ...]
    """Every table the dashboard reads, sorted (for review and tests)."""


@dataclass(frozen=True)
class ResolvedAlert:
    key: str
    """Key in ``observability.alerts``: the construct id is ``alert_<key>``."""
    type: str
    display_name: str
    """The naming rule applied to '<project>-<key>-alert'."""
    parent_path: str
    warehouse: str
    query_text: str
    column: str
    """The result column the condition compares."""
    op: str
    threshold: float
    empty_result_state: str
    cron: str
    timezone: str
    paused: bool
    """``paused``, default the environment's ``pause_schedules``."""
    targets: tuple[Target, ...]
    rearm_seconds: int | None
    permissions: Mapping[Member, str]
    job_name: str
    """The scheduled job that evaluates the alert: the naming rule applied to '<project>-<key>-alert-job'."""
    job_tags: Mapping[str, str]
    endpoint: str | None
    """serving_errors: the endpoint key (the stack leaves the alert out while it is pending)."""
    table: str
    """The table the query reads."""
    run_as: Member | None = None
    """Who the schedule job runs as: the project's ``jobs.run_as`` (one service principal), so no
    alert runs as whoever deployed it; it gets CAN_RUN on the alert and its query. None: unset."""


# --- the project


@dataclass(frozen=True)
class ResolvedObservability:
    warehouse: str | None
    """The project's warehouse key: ``observability.warehouse``, default the environment's."""
    monitor_warehouse: str | None
    """The warehouse key the project's monitors run on: ``observability.warehouse`` only, never the
    environment's default. A monitor's warehouse cannot change after creation (provider docs:
    quality_monitor), so defaulting it would replace monitors already deployed without one
    (docs/observability.md). None: the monitor's own ``warehouse_id``, else Databricks' choice."""
    dashboard: ResolvedDashboard | None
    alerts: Mapping[str, ResolvedAlert]
    """Enabled alerts by key, sorted."""
    pending_endpoints: frozenset[str]
    """Endpoints without a served version: their inference tables do not exist yet."""


def _targets(values: list[str], destinations: Mapping[str, object]) -> tuple[Target, ...]:
    out = []
    for v in values:
        if UUID.match(v):
            out.append(Target("destination_id", v))
        elif v in destinations:
            out.append(Target("destination_key", v))
        else:
            out.append(Target("user_name", v))
    return tuple(sorted(set(out), key=lambda t: (t.kind, t.value)))


def _alert(target: ProjectTarget, key: str, alert: AlertConfig, warehouse: str, parent: str,
           monitors: Mapping[str, ResolvedMonitor], endpoints: Mapping[str, ResolvedEndpoint],
           tables: JobTables) -> ResolvedAlert:
    env, project = target.env, target.project
    obs = project.observability
    rt = project.jobs.retraining
    endpoint = None
    empty = "UNKNOWN"
    if alert.type == "drift":
        if rt is not None:  # one number: the retraining job's condition
            metric, threshold, op = rt.drift.metric, rt.drift.threshold, rt.drift.comparison
        else:
            metric, threshold, op = alert.metric or "js_distance", float(alert.threshold or 0.0), "GREATER_THAN"
        monitor_key = alert.monitor
        if monitor_key is not None:
            table = monitors[monitor_key].drift_metrics_table
        else:  # the table the retraining job reads
            assert tables.drift is not None
            table = tables.drift
        sql, column = drift_sql(table, metric, op, alert.column), "drift"
    elif alert.type == "data_quality":
        assert alert.monitor is not None and alert.metric is not None
        m = monitors[alert.monitor]
        table = profile_metrics_table(m)
        sql = quality_sql(table, alert.metric, alert.column, monitor_granularity(m), alert.min, alert.max)
        column, op, threshold = "out_of_bounds", "GREATER_THAN", 0.0
    else:
        assert alert.endpoint is not None and alert.threshold is not None
        endpoint = alert.endpoint
        table = payload_table(env, endpoints[endpoint])
        sql, column, op, threshold = error_rate_sql(table, alert.window_hours), "error_rate", "GREATER_THAN", \
            float(alert.threshold)
        empty = "OK"
    notify = alert.notify if alert.notify is not None else obs.notify
    perms = alert.permissions if alert.permissions is not None else obs.alert_permissions
    base = f"{project.name}-{key}-alert"
    run_as = members(env, target.roles[project.jobs.run_as])[0] if project.jobs.run_as else None
    permissions = level_map(env, target.roles, perms, ALERT_LEVELS)
    if run_as is not None and ALERT_LEVELS.index(permissions.get(run_as, "CAN_VIEW")) < ALERT_LEVELS.index("CAN_RUN"):
        permissions[run_as] = "CAN_RUN"
    return ResolvedAlert(
        key=key, type=alert.type, display_name=env.object_name(base), parent_path=parent, warehouse=warehouse,
        query_text=sql, column=column, op=op, threshold=float(threshold), empty_result_state=empty,
        cron=alert.schedule.quartz_cron_expression, timezone=alert.schedule.timezone_id,
        paused=env.pause_schedules if alert.paused is None else alert.paused,
        targets=_targets(list(notify), env.notification_destinations), rearm_seconds=alert.rearm_seconds,
        permissions=permissions, run_as=run_as,
        job_name=env.object_name(f"{base}-job"), job_tags=unit_tags(env, project, {"alert": key}, iac_commit=target.iac_commit),
        endpoint=endpoint, table=table)


def email_addresses(env: EnvironmentConfig, values) -> tuple[str, ...]:
    """E-mail targets as config writes them (addresses, or keys of email destinations) -> the
    addresses, deduplicated and sorted: for monitors and endpoints, which notify by e-mail only."""
    out: set[str] = set()
    for value in values:
        dest = env.notification_destinations.get(value)
        out.update(dest.addresses if dest is not None else (value,))
    return tuple(sorted(out))


def observability_parent(env: EnvironmentConfig, project_name: str) -> str:
    """Folder of a project's dashboard and alerts: <observability.parent_path>/<project>, default
    /Shared/mlops/<named project>/observability."""
    if env.observability.parent_path:
        return f"{env.observability.parent_path}/{project_name}"
    return f"/Shared/mlops/{env.object_name(project_name)}/observability"


def resolve_observability(target: ProjectTarget, monitors: Mapping[str, ResolvedMonitor],
                          endpoints: Mapping[str, ResolvedEndpoint], tables: JobTables) -> ResolvedObservability:
    env, project = target.env, target.project
    obs = project.observability
    warehouse = obs.warehouse or environment_warehouse(env)
    parent = observability_parent(env, project.name)
    pending = frozenset(k for k, ep in endpoints.items()
                        if ep.config.entities and all(e.version is None for e in ep.config.entities.values()))
    dashboard = None
    d = obs.dashboard
    if d is not None and d.enabled:
        rt = project.jobs.retraining
        bi = project.jobs.batch_inference
        predictions = (names.table(env, project, d.predictions_table) if d.predictions_table
                       else tables.predictions if bi is not None and bi.enabled else None)
        serving = {k: payload_table(env, ep) for k, ep in endpoints.items()
                   if ep.config.inference_table.enabled and k not in pending}
        visible = {k: m for k, m in monitors.items()
                   if m.config.endpoint is None or m.config.endpoint in serving}
        title = env.object_name(f"{project.name} monitoring")
        doc = dashboard_document(title, visible, serving, predictions,
                                 rt.drift.metric if rt is not None else "js_distance")
        read = sorted({profile_metrics_table(m) for m in visible.values()}
                      | {m.drift_metrics_table for m in visible.values()} | set(serving.values())
                      | ({predictions} if predictions else set()))
        dashboard = ResolvedDashboard(
            display_name=d.display_name or title, parent_path=parent,
            warehouse=d.warehouse or warehouse or "",
            embed_credentials=env.observability.embed_credentials if d.embed_credentials is None
            else d.embed_credentials,
            serialized=lakeview.serialize(doc), permissions=level_map(env, target.roles, d.permissions,
                                                                        DASHBOARD_LEVELS),
            tables=tuple(read))
    alerts = {}
    for key, a in sorted(obs.alerts.items()):
        if a.enabled:
            alerts[key] = _alert(target, key, a, warehouse or "", parent, monitors, endpoints, tables)
    return ResolvedObservability(warehouse=warehouse, monitor_warehouse=obs.warehouse, dashboard=dashboard,
                                 alerts=alerts, pending_endpoints=pending)


__all__ = ["ResolvedAlert", "ResolvedDashboard", "ResolvedDestination", "ResolvedObservability",
           "ResolvedObservabilityEnvironment", "ResolvedWarehouse", "Target", "email_addresses",
           "resolve_environment_observability", "resolve_observability"]

"""Compose observability units: the environment's SQL warehouses and notification destinations
(in the stack holding the platform), and each project's dashboard and SQL alerts.

Environment units (``add_environment_observability``) are children of the platform construct:
``sql_warehouse_<key>``, ``notification_destination_<key>``. Each destination secret is a
sensitive Terraform variable declared on the stack under its documented name
(``notification_<env>_<key>_<field>``, set as ``TF_VAR_...`` in CI or a sensitive workspace
variable in Terraform Cloud), so no secret value is ever synthesized.

A stack without the platform (per-project layout, deployed after the platform stack) reads the
warehouses and destinations its projects use, by name (``lookup_observability``): construct ids
``sql_warehouse_lookup_<key>`` and ``notification_destination_lookup_<key>`` under the stack.

Project units (``add_project_observability``) are children of ProjectUnits: ``dashboard`` and
``alert_<key>``. Alerts on a pending endpoint's inference table, or on a monitor that is not
deployed, are left out with a notice until the table exists (as monitors are, docs/serving.md).

The same concept as resolution.observability (the values it maps to props), composed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from constructs import Construct

from mlops_constructs.dashboard import LakeviewDashboard, LakeviewDashboardProps
from mlops_constructs.notification_destination import NotificationDestination, NotificationDestinationProps
from mlops_constructs.sql_alert import SqlAlert, SqlAlertProps, SubscriptionSpec
from mlops_constructs.sql_warehouse import SqlWarehouse, SqlWarehouseProps
from mlops_engine import Annotations, TerraformVariable
from resolution import ResolvedEnvironment, ResolvedProject
from stacks.refs import PrincipalRefs, StackRefs

WAREHOUSE_LOOKUP_PREFIX = "sql_warehouse_lookup_"
DESTINATION_LOOKUP_PREFIX = "notification_destination_lookup_"


@dataclass
class ObservabilityRefs:
    """Warehouse and destination ids by config key, for StackRefs."""

    warehouses: dict[str, str] = field(default_factory=dict)
    destinations: dict[str, str] = field(default_factory=dict)


def secret_variables(stack: Construct, env: ResolvedEnvironment) -> dict[tuple[str, str], TerraformVariable]:
    """One sensitive string variable per destination secret, named as documented."""
    out = {}
    obs = env.observability
    for key, d in (obs.destinations.items() if obs else ()):
        for secret, name in sorted(d.variables.items()):
            out[(key, secret)] = TerraformVariable(
                stack, name, type="string", sensitive=True, nullable=False,
                description=f"{secret} of notification destination '{key}' ({env.name}); "
                            "set TF_VAR_" + name + " or a sensitive workspace variable (docs/observability.md)")
    return out


def add_environment_observability(stack: Construct, platform: Construct, env: ResolvedEnvironment,
                                  principals: PrincipalRefs) -> ObservabilityRefs:
    """Create (or reference) the environment's warehouses and destinations under ``platform``."""
    out = ObservabilityRefs()
    obs = env.observability
    if obs is None:
        return out
    for key, w in obs.warehouses.items():
        uid = f"sql_warehouse_{key}"
        perms = principals.levels(w.permissions)
        if w.create:
            assert w.name is not None
            unit = SqlWarehouse(platform, uid, SqlWarehouseProps(
                name=w.name, size=w.size, serverless=w.serverless, auto_stop_mins=w.auto_stop_mins,
                min_clusters=w.min_clusters, max_clusters=w.max_clusters, channel=w.channel, tags=dict(w.tags),
                permissions=perms))
        else:
            assert w.id is not None
            unit = SqlWarehouse.from_id(platform, uid, w.id, permissions=perms)
        out.warehouses[key] = unit.warehouse_id
    variables = secret_variables(stack, env)
    for key, d in obs.destinations.items():
        uid = f"notification_destination_{key}"
        if d.create:
            assert d.type is not None
            dest = NotificationDestination(platform, uid, NotificationDestinationProps(
                display_name=d.display_name, type=d.type, addresses=d.addresses, username=d.username,
                secrets={f: variables[(key, f)].string_value for f in d.variables}))
        else:
            assert d.id is not None
            dest = NotificationDestination.from_id(platform, uid, d.id)
        out.destinations[key] = dest.destination_id
    return out


def _used(projects: Iterable[ResolvedProject]) -> tuple[set[str], set[str]]:
    """Warehouse and destination keys the projects' dashboards, alerts and jobs use."""
    warehouses: set[str] = set()
    destinations: set[str] = set()
    for p in projects:
        o = p.observability
        if o is not None:
            if o.monitor_warehouse is not None and p.monitors:  # monitors run on the warehouse it names
                warehouses.add(o.monitor_warehouse)
            if o.dashboard is not None:
                warehouses.add(o.dashboard.warehouse)
            for a in o.alerts.values():
                warehouses.add(a.warehouse)
                destinations.update(t.value for t in a.targets if t.kind == "destination_key")
        jobs = p.target.project.jobs
        known = p.target.env.notification_destinations
        holders = [jobs] + [job for _, job in jobs.enabled_jobs()]
        for holder in holders:
            n = getattr(holder, "notifications", None)
            for event in (type(n).model_fields if n is not None else ()):
                targets = getattr(n, event)
                destinations.update(d for d in getattr(targets, "destinations", None) or () if d in known)
    return warehouses, destinations


def lookup_observability(stack: Construct, env: ResolvedEnvironment,
                         projects: Iterable[ResolvedProject]) -> ObservabilityRefs:
    """In a stack without the platform: the warehouses and destinations its projects use,
    read by name (created ones) or taken by id (referenced ones)."""
    out = ObservabilityRefs()
    obs = env.observability
    if obs is None:
        return out
    warehouses, destinations = _used(list(projects))
    for key in sorted(warehouses & set(obs.warehouses)):
        w = obs.warehouses[key]
        if w.create:
            assert w.name is not None
            out.warehouses[key] = SqlWarehouse.from_name(stack, f"{WAREHOUSE_LOOKUP_PREFIX}{key}", w.name).warehouse_id
        else:
            assert w.id is not None
            out.warehouses[key] = w.id
    for key in sorted(destinations & set(obs.destinations)):
        d = obs.destinations[key]
        if d.create:
            assert d.lookup_type is not None
            out.destinations[key] = NotificationDestination.from_name(
                stack, f"{DESTINATION_LOOKUP_PREFIX}{key}", d.display_name, d.lookup_type).destination_id
        else:
            assert d.id is not None
            out.destinations[key] = d.id
    return out


def add_project_observability(units: Construct, project: ResolvedProject, refs: StackRefs,
                              pending_endpoints: frozenset[str], monitors_deployed: Iterable[str]) -> dict[str, Construct]:
    """The project's dashboard and alerts as children of ``units`` (ProjectUnits)."""
    out: dict[str, Construct] = {}
    o = project.observability
    if o is None:
        return out
    p = refs.principals
    if o.dashboard is not None:
        d = o.dashboard
        out["dashboard"] = LakeviewDashboard(units, "dashboard", LakeviewDashboardProps(
            display_name=d.display_name, warehouse_id=refs.warehouses[d.warehouse],
            serialized_dashboard=d.serialized, parent_path=d.parent_path, embed_credentials=d.embed_credentials,
            permissions=p.levels(d.permissions)))
    deployed = set(monitors_deployed)
    config_alerts = project.target.project.observability.alerts
    for key, a in o.alerts.items():
        monitor = config_alerts[key].monitor
        reason = None
        if a.endpoint is not None and a.endpoint in pending_endpoints:
            reason = f"endpoint '{a.endpoint}' is pending (no model version yet), so its inference table does not exist"
        elif a.endpoint is not None and a.endpoint not in project.endpoints:
            reason = f"endpoint '{a.endpoint}' is disabled in this environment"
        elif monitor is not None and monitor not in deployed:
            reason = f"monitor '{monitor}' is not deployed in this environment yet"
        if reason:
            Annotations.of(units).add_info(f"alert '{key}' of project {project.name} is not deployed yet: "
                                           f"{reason} (docs/observability.md).")
            continue
        subs = tuple(
            SubscriptionSpec("destination_id", refs.destination_id(t.value), label=t.value)
            if t.kind == "destination_key" else
            SubscriptionSpec("destination_id", t.value) if t.kind == "destination_id" else
            SubscriptionSpec("user_name", t.value)
            for t in a.targets)
        out[f"alert_{key}"] = SqlAlert(units, f"alert_{key}", SqlAlertProps(
            display_name=a.display_name, warehouse_id=refs.warehouses[a.warehouse], query_text=a.query_text,
            column=a.column, op=a.op, threshold=a.threshold, cron=a.cron, timezone=a.timezone, paused=a.paused,
            job_name=a.job_name, parent_path=a.parent_path, empty_result_state=a.empty_result_state,
            rearm_seconds=a.rearm_seconds, subscriptions=subs, job_tags=dict(a.job_tags),
            description=f"{a.type} alert '{key}' of {project.name} on {a.table} (docs/observability.md)",
            permissions=p.levels(a.permissions), run_as=p.principal(a.run_as) if a.run_as else None))
    return out

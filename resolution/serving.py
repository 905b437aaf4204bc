"""Serving endpoints and Lakehouse monitors of one project, resolved: endpoint names,
inference and monitored tables, metric and drift tables, tags, scale-to-zero, paused
schedules and the principals of rate limits and permissions.

Same concept as platform_config/serving.py and platform_config/monitoring.py (config)
and stacks/serving.py (composition), seen from the resolution layer. Pure: no jsii.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from databricks_spec.privileges import WORKSPACE_OBJECTS
from platform_config import EnvironmentConfig, ProjectConfig, ProjectTarget
from platform_config.governance import UUID
from platform_config.monitoring import MonitorConfig
from platform_config.serving import ServingEndpointConfig
from resolution import names
from resolution.names import SchemaRef
from resolution.principals import Member, level_map, service_principal_member
from resolution.tags import unit_tags

#: Serving endpoint permission levels, lowest first (databricks_spec).
SERVING_LEVEL_RANK = WORKSPACE_OBJECTS["serving_endpoint"][1]


@dataclass(frozen=True)
class ResolvedEndpoint:
    key: str
    """Key in ``serving.endpoints``: the construct id is ``serving_<key>``."""
    config: ServingEndpointConfig
    name: str
    description: str | None
    """``description``, default the project's description (None when empty)."""
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags)."""
    inference_schema: SchemaRef
    """``inference_table.schema``, default the model's schema."""
    inference_table_prefix: str
    scale_to_zero: Mapping[str, bool]
    """Entity -> its ``scale_to_zero``, default the environment's policy."""
    rate_limit_principals: tuple[str | Member | None, ...]
    """Per rate limit, in config order: its principal; a service principal key is resolved."""
    permissions: Mapping[Member, str]


@dataclass(frozen=True)
class ResolvedMonitor:
    key: str
    """Key in ``monitors``: the construct id is ``monitor_<key>``."""
    config: MonitorConfig
    table_name: str
    """The monitored table (an endpoint's inference table for endpoint monitors)."""
    output_schema: SchemaRef
    """``output_schema``, default the model's schema."""
    output_schema_full_name: str
    """<catalog>.<output schema>."""
    drift_metrics_table: str
    assets_dir: str
    paused: bool
    """``paused``, default the environment's ``pause_schedules``."""
    baseline_table: str | None


def _rate_limit_principal(env: EnvironmentConfig, key: str, principal: str | None) -> str | Member | None:
    """A service principal given by its environment key resolves to its application id."""
    if (principal and key == "service_principal" and not UUID.match(principal)
            and principal in env.service_principals):
        return service_principal_member(env, principal)
    return principal


def resolve_endpoints(target: ProjectTarget) -> dict[str, ResolvedEndpoint]:
    env, project = target.env, target.project
    out = {}
    for key, ep in sorted(project.serving.endpoints.items()):
        if not ep.enabled:
            continue
        default_scale = env.serving.scale_to_zero_default
        out[key] = ResolvedEndpoint(
            key=key, config=ep, name=names.endpoint_name(env, project, key, ep.name),
            description=ep.description or project.description or None,
            tags=unit_tags(env, project, ep.tags),
            inference_schema=names.schema_ref(project, ep.inference_table.schema_name
                                              or names.default_schema_key(project)),
            inference_table_prefix=names.inference_table_prefix(key, ep.inference_table.table_prefix),
            scale_to_zero={name: default_scale if e.scale_to_zero is None else e.scale_to_zero
                           for name, e in sorted(ep.entities.items())},
            rate_limit_principals=tuple(_rate_limit_principal(env, r.key, r.principal) for r in ep.rate_limits),
            permissions=level_map(env, target.roles, ep.permissions, SERVING_LEVEL_RANK))
    return out


def monitored_table(env: EnvironmentConfig, project: ProjectConfig, monitor: MonitorConfig) -> str:
    """Full name of the table a monitor watches: an endpoint monitor watches the endpoint's
    inference table '<prefix><table_suffix>'."""
    if monitor.endpoint is not None:
        ep = project.serving.endpoints[monitor.endpoint]
        schema = names.schema_ref(project, ep.inference_table.schema_name or names.default_schema_key(project))
        prefix = names.inference_table_prefix(monitor.endpoint, ep.inference_table.table_prefix)
        return f"{env.catalog.name}.{schema.name}.{prefix}{monitor.table_suffix}"
    return names.table(env, project, monitor.table or "")


def resolve_monitor(target: ProjectTarget, key: str, monitor: MonitorConfig) -> ResolvedMonitor:
    env, project = target.env, target.project
    out = names.schema_ref(project, monitor.output_schema or names.default_schema_key(project))
    out_full = f"{env.catalog.name}.{out.name}"
    watched = monitored_table(env, project, monitor)
    return ResolvedMonitor(
        key=key, config=monitor, table_name=watched, output_schema=out, output_schema_full_name=out_full,
        drift_metrics_table=names.drift_metrics_table(out_full, watched),
        assets_dir=names.monitor_assets_dir(env, project, key, monitor.assets_dir),
        paused=env.pause_schedules if monitor.paused is None else monitor.paused,
        baseline_table=names.table(env, project, monitor.baseline_table) if monitor.baseline_table else None)


def inference_monitor(project: ProjectConfig) -> str | None:
    """Key of the project's enabled inference_log monitor the retraining job reads: one on a
    serving endpoint's inference table first, else any; None if none."""
    candidates = sorted(k for k, m in project.monitors.items() if m.enabled and m.inference_log is not None)
    on_endpoint = [k for k in candidates if project.monitors[k].endpoint is not None]
    return (on_endpoint or candidates or [None])[0]


def resolve_monitors(target: ProjectTarget) -> dict[str, ResolvedMonitor]:
    """The project's enabled monitors by key, sorted."""
    return {key: resolve_monitor(target, key, m) for key, m in sorted(target.project.monitors.items()) if m.enabled}

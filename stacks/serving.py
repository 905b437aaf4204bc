"""Compose one project's serving endpoints and Lakehouse monitors.

The same concept as ``platform_config.serving`` and ``platform_config.monitoring`` (the config),
seen from the stacks.

Called by ProjectUnits (``add_serving_units``). Construct ids derive from config
keys: ``serving_<endpoint key>`` and ``monitor_<monitor key>``, never list
positions. Names, tags, tables, scale-to-zero and paused schedules come resolved
(resolution.project) and arrive here as plain values.

Gating (safe first deploy, docs/serving.md): an endpoint whose entities have no
version yet is *pending*: it is created without served config; monitors on its
inference table are left out (with a notice) until it serves a version, since
the table only exists once the endpoint captures payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from mlops_constructs.quality_monitor import (CustomMetricSpec, InferenceLogSpec, MonitorScheduleSpec, QualityMonitor,
                                              QualityMonitorProps, SnapshotSpec, TimeSeriesSpec)
from mlops_constructs.serving_endpoint import (InferenceTableSpec, RateLimitSpec, ServedEntitySpec, ServingEndpoint,
                                               ServingEndpointProps)
from mlops_engine import Annotations
from platform_config import EnvironmentConfig
from resolution import Member, ResolvedProject
from resolution.observability import email_addresses
from resolution.serving import ResolvedEndpoint, ResolvedMonitor
from stacks.features import FeatureUnits
from stacks.governance import DataUnits
from stacks.located import configured_at
from stacks.refs import StackRefs


@dataclass
class ServingUnits:
    """What add_serving_units created, for units that reference them (e.g. jobs)."""

    endpoints: dict[str, ServingEndpoint] = field(default_factory=dict)
    monitors: dict[str, QualityMonitor] = field(default_factory=dict)


def endpoint_props(ep: ResolvedEndpoint, refs: StackRefs, data: DataUnits, model_full_name: str,
                   model_prefix: str, env: EnvironmentConfig | None = None, held_back: str | None = None,
                   depends_on: tuple = ()) -> ServingEndpointProps:
    """Props for one endpoint. ``model_full_name`` names the project's model (a token keeps
    the dependency); ``model_prefix`` is '<catalog>.<schema>' for other models by name."""
    cfg = ep.config
    entities = tuple(
        ServedEntitySpec(
            name=name,
            entity_name=e.feature_spec or (f"{model_prefix}.{e.model}" if e.model else model_full_name),
            feature_spec=e.feature_spec is not None,
            entity_version=str(e.version) if e.version is not None else None,
            workload_size=e.workload_size,
            workload_type=e.workload_type,
            scale_to_zero=ep.scale_to_zero[name],
            min_provisioned_concurrency=e.min_provisioned_concurrency,
            max_provisioned_concurrency=e.max_provisioned_concurrency,
            min_provisioned_throughput=e.min_provisioned_throughput,
            max_provisioned_throughput=e.max_provisioned_throughput,
            environment_vars=dict(e.environment_vars),
            instance_profile_arn=e.instance_profile_arn,
        )
        for name, e in sorted(cfg.entities.items()))
    p = refs.principals
    limits = tuple(
        RateLimitSpec(calls=r.calls, key=r.key, tokens=r.tokens,
                  principal=p.principal(who).name if isinstance(who, Member) else who)
        for r, who in zip(cfg.rate_limits, ep.rate_limit_principals))
    return ServingEndpointProps(
        name=ep.name,
        served_entities=entities,
        traffic=dict(cfg.traffic),
        inference_table=InferenceTableSpec(catalog_name=refs.catalog_name,
                                       schema_name=data.schema_name(ep.inference_schema),
                                       table_name_prefix=ep.inference_table_prefix,
                                       enabled=cfg.inference_table.enabled),
        usage_tracking=cfg.usage_tracking,
        rate_limits=limits,
        description=ep.description,
        tags=dict(ep.tags),
        notify_on_update_failure=_emails(env, cfg.notifications.on_update_failure),
        notify_on_update_success=_emails(env, cfg.notifications.on_update_success),
        route_optimized=cfg.route_optimized,
        budget_policy_id=cfg.budget_policy_id,
        permissions=p.levels(ep.permissions),
        ignore_config_changes=cfg.config_managed_by == "deployment_job",
        held_back=held_back,
        depends_on=depends_on,
    )


def _emails(env: EnvironmentConfig | None, values: list[str]) -> tuple[str, ...]:
    """Addresses, with email destinations named by key expanded (docs/observability.md)."""
    return email_addresses(env, values) if env is not None else tuple(values)


def monitor_props(m: ResolvedMonitor, data: DataUnits, depends_on: tuple = (),
                  env: EnvironmentConfig | None = None, warehouse_id: str | None = None) -> QualityMonitorProps:
    """``warehouse_id``: the warehouse the project names (``observability.warehouse``,
    docs/observability.md), used unless the monitor sets its own ``warehouse_id``; never the
    environment's default (a monitor's warehouse cannot change after creation)."""
    monitor = m.config
    profile = {}
    if monitor.inference_log is not None:
        il = monitor.inference_log
        profile["inference_log"] = InferenceLogSpec(
            problem_type=il.problem_type, prediction_col=il.prediction_col, timestamp_col=il.timestamp_col,
            model_id_col=il.model_id_col, label_col=il.label_col,
            prediction_proba_col=il.prediction_proba_col, granularities=tuple(il.granularities))
    elif monitor.time_series is not None:
        profile["time_series"] = TimeSeriesSpec(timestamp_col=monitor.time_series.timestamp_col,
                                            granularities=tuple(monitor.time_series.granularities))
    elif monitor.snapshot is not None:
        profile["snapshot"] = SnapshotSpec()
    return QualityMonitorProps(
        table_name=m.table_name,
        output_schema_name=data.schema_full_name(m.output_schema, m.output_schema_full_name),
        assets_dir=m.assets_dir,
        **profile,
        schedule=MonitorScheduleSpec(quartz_cron_expression=monitor.schedule.quartz_cron_expression,
                                 timezone_id=monitor.schedule.timezone_id) if monitor.schedule else None,
        paused=m.paused,
        notify_on_failure=_emails(env, monitor.notifications.on_failure),
        notify_on_new_classification_tag=_emails(env, monitor.notifications.on_new_classification_tag_detected),
        slicing_exprs=tuple(monitor.slicing_exprs),
        custom_metrics=tuple(
            CustomMetricSpec(name=name, type=c.type, definition=c.definition,
                         input_columns=tuple(c.input_columns), output_data_type=c.output_data_type(name))
            for name, c in sorted(monitor.custom_metrics.items())),
        baseline_table_name=m.baseline_table,
        warehouse_id=monitor.warehouse_id or warehouse_id,
        skip_builtin_dashboard=monitor.skip_builtin_dashboard,
        data_classification=monitor.data_classification,
        depends_on=depends_on,
    )


def add_serving_units(units: Construct, project: ResolvedProject, refs: StackRefs, data: DataUnits,
                      model_full_name: str, model_schema: str, features: FeatureUnits | None = None) -> ServingUnits:
    """Create the project's endpoints and monitors as children of ``units`` (ProjectUnits).

    ``model_full_name`` / ``model_schema``: the project's registered model and its schema
    (tokens referencing the resources keep Terraform's create order)."""
    out = ServingUnits()
    prefix = f"{refs.catalog_name}.{model_schema}"
    obs = project.observability
    warehouse = refs.warehouses.get(obs.monitor_warehouse) if obs is not None and obs.monitor_warehouse else None
    for key, ep in project.endpoints.items():
        held_back, depends = None, ()
        lookups = project.features.lookups.get(key)
        if lookups and features is not None:  # feature lookup: wait for the synced tables (docs/features.md)
            held_back, depends = features.lookup_gate(lookups)
        with configured_at(project, ("serving", "endpoints", key)):
            out.endpoints[key] = ServingEndpoint(units, f"serving_{key}", endpoint_props(
                ep, refs, data, model_full_name, prefix, project.target.env, held_back, depends))
    for key, m in project.monitors.items():
        depends: tuple = ()
        endpoint_key = m.config.endpoint
        if endpoint_key is not None:
            endpoint_unit = out.endpoints.get(endpoint_key)
            reason = None
            if endpoint_unit is None:
                reason = (f"endpoint '{endpoint_key}' is disabled in this environment. It is added "
                          "once the endpoint is enabled and serves a version")
            elif endpoint_unit.pending:
                reason = (f"endpoint '{endpoint_key}' is pending (no model version yet), so its "
                          "inference table does not exist. It is added once the endpoint serves a version")
            if reason:
                Annotations.of(units).add_info(
                    f"monitor '{key}' of project {project.name} is not deployed yet: {reason} "
                    "(docs/monitoring.md).")
                continue
            depends = (endpoint_unit.resource,)
        with configured_at(project, ("monitors", key)):
            out.monitors[key] = QualityMonitor(units, f"monitor_{key}", monitor_props(
                m, data, depends, project.target.env, warehouse))
    return out

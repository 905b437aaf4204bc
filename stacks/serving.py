"""Compose one project's serving endpoints and Lakehouse monitors.

Called by ProjectUnits (``add_serving_units``). Construct ids derive from config
keys: ``serving_<endpoint key>`` and ``monitor_<monitor key>``, never list
positions. Everything environment-specific was resolved by the config layer
(scale-to-zero policy, paused schedules) and arrives here as plain values.

Gating (safe first deploy, docs/serving.md): an endpoint whose entities have no
version yet is *pending*: it is created without served config; monitors on its
inference table are left out (with a notice) until it serves a version, since
the table only exists once the endpoint captures payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine import Annotations
from constructs import Construct

from mlops_constructs.quality_monitor import (CustomMetric, InferenceLog, MonitorSchedule, QualityMonitor,
                                              QualityMonitorProps, Snapshot, TimeSeries,
                                              drift_metrics_table_name)
from mlops_constructs.serving_endpoint import (InferenceTable, RateLimit, ServedEntity, ServingEndpoint,
                                               ServingEndpointProps)
from platform_config import ProjectTarget
from platform_config.base import snake
from platform_config.governance import UUID, project_schema_name
from platform_config.monitoring import MonitorConfig
from platform_config.serving import SERVING_LEVEL_RANK, ServingEndpointConfig
from stacks.platform import catalog_name, highest_levels, role_map, service_principal


@dataclass
class ServingUnits:
    """What add_serving_units created, for units that reference them (e.g. jobs)."""

    endpoints: dict[str, ServingEndpoint] = field(default_factory=dict)
    monitors: dict[str, QualityMonitor] = field(default_factory=dict)


# ------------------------------------------------------------------ names (pure)

def default_schema_key(target: ProjectTarget) -> str:
    """Where inference tables and metric tables go by default: the model's schema."""
    return target.project.model.schema_name or "models"


def schema_name(target: ProjectTarget, key_or_name: str) -> str:
    """A project schema key -> its name ('<project>_<key>'); anything else is a schema name."""
    project = target.project
    if key_or_name in project.schemas:
        return project_schema_name(project, key_or_name)
    return key_or_name


def endpoint_name(target: ProjectTarget, key: str, endpoint: ServingEndpointConfig) -> str:
    """Workspace name: the naming rule applied to ``name``, the key (when it is the
    project's name) or '<project>-<key>'."""
    project = target.project.name
    base = endpoint.name or (key if key == project else f"{project}-{key}")
    return target.env.object_name(base)


def inference_table_parts(target: ProjectTarget, key: str,
                          endpoint: ServingEndpointConfig) -> tuple[str, str, str]:
    """(catalog, schema, prefix) of an endpoint's inference table, as plain names."""
    table = endpoint.inference_table
    schema = schema_name(target, table.schema_name or default_schema_key(target))
    return target.env.catalog.name, schema, table.table_prefix or snake(key)


def monitored_table(target: ProjectTarget, monitor: MonitorConfig) -> str:
    """Full name of the table a monitor watches (plain names)."""
    if monitor.endpoint is not None:
        endpoint = target.project.serving.endpoints[monitor.endpoint]
        catalog, schema, prefix = inference_table_parts(target, monitor.endpoint, endpoint)
        return f"{catalog}.{schema}.{prefix}{monitor.table_suffix}"
    return resolve_table(target, monitor.table or "")


def resolve_table(target: ProjectTarget, ref: str) -> str:
    """'table' (default schema), 'schema-or-key.table' (environment catalog) or a full name."""
    parts = ref.split(".")
    if len(parts) == 3:
        return ref
    if len(parts) == 2:
        return f"{target.env.catalog.name}.{schema_name(target, parts[0])}.{parts[1]}"
    return f"{target.env.catalog.name}.{schema_name(target, default_schema_key(target))}.{ref}"


def output_schema(target: ProjectTarget, monitor: MonitorConfig) -> str:
    """catalog.schema of a monitor's metric tables (always the environment's catalog)."""
    key = monitor.output_schema or default_schema_key(target)
    return f"{target.env.catalog.name}.{schema_name(target, key)}"


def drift_metrics_table(target: ProjectTarget, monitor_key: str) -> str:
    """<catalog>.<output schema>.<monitored table>_drift_metrics of one monitor."""
    monitor = target.project.monitors[monitor_key]
    return drift_metrics_table_name(output_schema(target, monitor), monitored_table(target, monitor))


def inference_monitor(target: ProjectTarget) -> str | None:
    """Key of the project's enabled inference_log monitor the retraining job should read:
    one on a live serving endpoint's inference table first, else any; None if none."""
    project = target.project
    candidates = sorted(k for k, m in project.monitors.items() if m.enabled and m.inference_log is not None)
    on_endpoint = [k for k in candidates if project.monitors[k].endpoint is not None]
    return (on_endpoint or candidates or [None])[0]


def monitor_drift_table(target: ProjectTarget) -> str | None:
    """The retraining job's drift table when ``jobs.retraining.drift.table`` is unset:
    the drift metrics table of the project's inference monitor (None without one)."""
    key = inference_monitor(target)
    return drift_metrics_table(target, key) if key else None


def project_tags(target: ProjectTarget) -> dict[str, str]:
    """Environment tags, then project identity (project, owner, cost_center), then project tags."""
    project = target.project
    tags = {**target.env.tags, "project": project.name, "owner": project.owner}
    if project.cost_center:
        tags["cost_center"] = project.cost_center
    return {**tags, **project.tags}


# ------------------------------------------------------------------ props

def endpoint_props(scope: Construct, target: ProjectTarget, key: str, endpoint: ServingEndpointConfig,
                   model_full_name: str, model_prefix: str) -> ServingEndpointProps:
    """Props for one endpoint. ``model_full_name`` names the project's model (a token keeps
    the dependency); ``model_prefix`` is '<catalog>.<schema>' for other models by name."""
    env, project = target.env, target.project
    default_scale = env.serving.scale_to_zero_default
    entities = tuple(
        ServedEntity(
            name=name,
            entity_name=f"{model_prefix}.{e.model}" if e.model else model_full_name,
            entity_version=str(e.version) if e.version is not None else None,
            workload_size=e.workload_size,
            workload_type=e.workload_type,
            scale_to_zero=default_scale if e.scale_to_zero is None else e.scale_to_zero,
            min_provisioned_concurrency=e.min_provisioned_concurrency,
            max_provisioned_concurrency=e.max_provisioned_concurrency,
            min_provisioned_throughput=e.min_provisioned_throughput,
            max_provisioned_throughput=e.max_provisioned_throughput,
            environment_vars=dict(e.environment_vars),
            instance_profile_arn=e.instance_profile_arn,
        )
        for name, e in sorted(endpoint.entities.items()))
    catalog, schema, prefix = inference_table_parts(target, key, endpoint)
    schema_key = endpoint.inference_table.schema_name or default_schema_key(target)
    units = getattr(scope, "data", None)
    if units is not None and schema_key in getattr(units, "schemas", {}):
        schema = units.schemas[schema_key].name  # token: the schema is created first
    limits = tuple(
        RateLimit(calls=r.calls, key=r.key, tokens=r.tokens,
                  principal=_rate_limit_principal(scope, target, r.key, r.principal))
        for r in endpoint.rate_limits)
    access = highest_levels(role_map(scope, env, target.roles, endpoint.permissions),
                            tuple(SERVING_LEVEL_RANK))
    return ServingEndpointProps(
        name=endpoint_name(target, key, endpoint),
        served_entities=entities,
        traffic=dict(endpoint.traffic),
        inference_table=InferenceTable(catalog_name=catalog_name(scope, env), schema_name=schema,
                                       table_name_prefix=prefix, enabled=endpoint.inference_table.enabled),
        usage_tracking=endpoint.usage_tracking,
        rate_limits=limits,
        description=endpoint.description or project.description or None,
        tags={**project_tags(target), **endpoint.tags},
        notify_on_update_failure=tuple(endpoint.notifications.on_update_failure),
        notify_on_update_success=tuple(endpoint.notifications.on_update_success),
        route_optimized=endpoint.route_optimized,
        budget_policy_id=endpoint.budget_policy_id,
        permissions=access,
        ignore_config_changes=endpoint.config_managed_by == "deployment_job",
    )


def _rate_limit_principal(scope: Construct, target: ProjectTarget, key: str, principal: str | None) -> str | None:
    """A service principal given by its environment key resolves to its application id."""
    if (principal and key == "service_principal" and not UUID.match(principal)
            and principal in target.env.service_principals):
        return service_principal(scope, target.env, principal).name
    return principal


def monitor_props(scope: Construct, target: ProjectTarget, key: str, monitor: MonitorConfig,
                  depends_on: tuple = ()) -> QualityMonitorProps:
    env, project = target.env, target.project
    paused = env.pause_schedules if monitor.paused is None else monitor.paused
    profile = {}
    if monitor.inference_log is not None:
        il = monitor.inference_log
        profile["inference_log"] = InferenceLog(
            problem_type=il.problem_type, prediction_col=il.prediction_col, timestamp_col=il.timestamp_col,
            model_id_col=il.model_id_col, label_col=il.label_col,
            prediction_proba_col=il.prediction_proba_col, granularities=tuple(il.granularities))
    elif monitor.time_series is not None:
        profile["time_series"] = TimeSeries(timestamp_col=monitor.time_series.timestamp_col,
                                            granularities=tuple(monitor.time_series.granularities))
    elif monitor.snapshot is not None:
        profile["snapshot"] = Snapshot()
    out_schema = output_schema(target, monitor)
    out_key = monitor.output_schema or default_schema_key(target)
    units = getattr(scope, "data", None)
    if units is not None and out_key in getattr(units, "schemas", {}):
        out_schema = units.schemas[out_key].full_name  # token: the schema is created first
    return QualityMonitorProps(
        table_name=monitored_table(target, monitor),
        output_schema_name=out_schema,
        assets_dir=monitor.assets_dir or (
            f"/Shared/mlops/{env.object_name(project.name)}/monitors/{key}"),
        **profile,
        schedule=MonitorSchedule(quartz_cron_expression=monitor.schedule.quartz_cron_expression,
                                 timezone_id=monitor.schedule.timezone_id) if monitor.schedule else None,
        paused=paused,
        notify_on_failure=tuple(monitor.notifications.on_failure),
        notify_on_new_classification_tag=tuple(monitor.notifications.on_new_classification_tag_detected),
        slicing_exprs=tuple(monitor.slicing_exprs),
        custom_metrics=tuple(
            CustomMetric(name=name, type=m.type, definition=m.definition,
                         input_columns=tuple(m.input_columns), output_data_type=m.output_data_type(name))
            for name, m in sorted(monitor.custom_metrics.items())),
        baseline_table_name=resolve_table(target, monitor.baseline_table) if monitor.baseline_table else None,
        warehouse_id=monitor.warehouse_id,
        skip_builtin_dashboard=monitor.skip_builtin_dashboard,
        data_classification=monitor.data_classification,
        depends_on=depends_on,
    )


# ------------------------------------------------------------------ composition

def add_serving_units(units: Construct, target: ProjectTarget, model_full_name: str,
                      model_schema: str) -> ServingUnits:
    """Create the project's endpoints and monitors as children of ``units`` (ProjectUnits).

    ``model_full_name`` / ``model_schema``: the project's registered model and its schema
    (tokens referencing the resources keep Terraform's create order)."""
    env, project = target.env, target.project
    out = ServingUnits()
    prefix = f"{catalog_name(units, env)}.{model_schema}"
    for key, endpoint in sorted(project.serving.endpoints.items()):
        if not endpoint.enabled:
            continue
        out.endpoints[key] = ServingEndpoint(units, f"serving_{key}", endpoint_props(
            units, target, key, endpoint, model_full_name, prefix))
    for key, monitor in sorted(project.monitors.items()):
        if not monitor.enabled:
            continue
        depends: tuple = ()
        if monitor.endpoint is not None:
            endpoint_unit = out.endpoints.get(monitor.endpoint)
            reason = None
            if endpoint_unit is None:
                reason = (f"endpoint '{monitor.endpoint}' is disabled in this environment. It is added "
                          "once the endpoint is enabled and serves a version")
            elif endpoint_unit.pending:
                reason = (f"endpoint '{monitor.endpoint}' is pending (no model version yet), so its "
                          "inference table does not exist. It is added once the endpoint serves a version")
            if reason:
                Annotations.of(units).add_info(
                    f"monitor '{key}' of project {project.name} is not deployed yet: {reason} "
                    "(docs/monitoring.md).")
                continue
            depends = (endpoint_unit.resource,)
        out.monitors[key] = QualityMonitor(units, f"monitor_{key}", monitor_props(
            units, target, key, monitor, depends))
    return out

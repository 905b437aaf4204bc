"""ServingEndpoint: a Databricks model serving endpoint for Unity Catalog models.

Emits databricks_model_serving (served entities, traffic split, AI gateway with
inference table, rate limits and usage tracking, tags, e-mail notifications,
route optimization) and databricks_permissions on its serving_endpoint_id.

Safe first deploy (databricks/mlops-stacks#217): when no served entity has a
version yet the endpoint is *pending*: it is created without its ``config``
block (and without ``ai_gateway``, whose inference table needs served
entities). The provider documents ``config`` as optional, addable after
creation, and its later removal as a no-op (provider docs: model_serving,
"Argument Reference", ``config``), so a pending endpoint never fails a deploy
and never destroys a live one. A cdktf info annotation says so in the synth
output.

Changing the endpoint name, route_optimized or the inference table's catalog,
schema or prefix recreates the endpoint (databricks_spec.replacement_rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from databricks_spec.online import three_part_name
from mlops_engine import Annotations
from mlops_engine.databricks import (
    ModelServing, ModelServingAiGateway, ModelServingAiGatewayInferenceTableConfig,
    ModelServingAiGatewayRateLimits, ModelServingAiGatewayUsageTrackingConfig,
    ModelServingConfigA, ModelServingConfigServedEntities, ModelServingConfigTrafficConfig,
    ModelServingConfigTrafficConfigRoutes, ModelServingEmailNotifications, ModelServingTags
)

from databricks_spec.enums import RATE_LIMIT_KEYS, WORKLOAD_SIZES, WORKLOAD_TYPES, RateLimitKey, WorkloadSize, WorkloadType
from databricks_spec.names import ENDPOINT_NAME, endpoint_name_problem
from databricks_spec.permissions import SERVING_LEVELS, ServingLevel
from databricks_spec.rules import Finding, allowed, findings_at, jobs as rules, serving as serving_rules
from mlops_constructs.rule_adapter import known, refuse
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope

_BOUNDS = ("min_provisioned_concurrency", "max_provisioned_concurrency", "min_provisioned_throughput",
           "max_provisioned_throughput")


@dataclass(frozen=True, kw_only=True)
class ServedEntitySpec:
    """One served version of a Unity Catalog model."""

    name: str
    """Served entity name, unique in the endpoint; traffic routes name it."""
    entity_name: str
    """Full model name catalog.schema.model."""
    entity_version: str | None = None
    """Model version. Default: None = pending (no version registered yet); an
    endpoint is pending when all its entities are."""
    feature_spec: bool = False
    """``entity_name`` is a Unity Catalog function of type FEATURE_SPEC (served without a
    version, provider docs: model_serving, 'entity_version'). Default: false (a model)."""
    workload_size: WorkloadSize | None = None
    """Small / Medium / Large. Default: Small, unless provisioned concurrency or
    throughput is set (mutually exclusive)."""
    workload_type: WorkloadType = "CPU"
    """CPU or a GPU type. Default: CPU."""
    scale_to_zero: bool = False
    """Scale to zero when idle. Default: false."""
    min_provisioned_concurrency: int | None = None
    """Default: unset. Conflicts with workload_size."""
    max_provisioned_concurrency: int | None = None
    """Default: unset. Conflicts with workload_size."""
    min_provisioned_throughput: int | None = None
    """Tokens per second. Default: unset. Conflicts with workload_size."""
    max_provisioned_throughput: int | None = None
    """Tokens per second. Default: unset. Conflicts with workload_size."""
    environment_vars: dict[str, str] = field(default_factory=dict)
    """Name -> {{secrets/<scope>/<key>}} reference (literal values are rejected). Default: none."""
    instance_profile_arn: str | None = None
    """Default: unset."""


@dataclass(frozen=True, kw_only=True)
class InferenceTableSpec:
    """Where the AI gateway captures requests and responses."""

    catalog_name: str
    schema_name: str
    table_name_prefix: str
    enabled: bool = True
    """False emits ``enabled = false`` (capture switched off; the provider notes it
    cannot be re-enabled once disabled). Default: true. The gateway writes
    ``<catalog>.<schema>.<prefix>_payload``."""


@dataclass(frozen=True, kw_only=True)
class RateLimitSpec:
    """AI gateway rate limit, per minute."""

    calls: int
    """Calls per minute."""
    key: RateLimitKey = "endpoint"
    """endpoint / user / user_group / service_principal. Default: endpoint."""
    principal: str | None = None
    """One user, group or service principal the limit applies to. Default: each of the key's kind."""
    tokens: int | None = None
    """Tokens per minute. Default: unset."""

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.key, self.principal or "")


@dataclass(frozen=True, kw_only=True)
class ServingEndpointProps:
    """A model serving endpoint and who may use it."""

    name: str
    """Workspace-unique endpoint name (environment naming already applied)."""
    served_entities: tuple[ServedEntitySpec, ...]
    """Up to 10 served entities."""
    traffic: dict[str, int] = field(default_factory=dict)
    """Entity name -> percent, summing to 100. Default: 100 to the only entity."""
    inference_table: InferenceTableSpec | None = None
    """Payload capture through the AI gateway. Default: none."""
    usage_tracking: bool = False
    """AI gateway usage tracking. Default: false."""
    rate_limits: tuple[RateLimitSpec, ...] = ()
    """AI gateway rate limits. Default: none."""
    description: str | None = None
    """Default: none."""
    tags: dict[str, str] = field(default_factory=dict)
    """Endpoint tags (propagated to billing logs). Default: none."""
    notify_on_update_failure: tuple[str, ...] = ()
    """E-mails notified when an update fails. Default: none."""
    notify_on_update_success: tuple[str, ...] = ()
    """E-mails notified when an update succeeds. Default: none."""
    route_optimized: bool = False
    """Route optimization. Default: false."""
    budget_policy_id: str | None = None
    """Default: unset."""
    permissions: dict[Principal, ServingLevel] = field(default_factory=dict)
    """Principal -> CAN_VIEW / CAN_QUERY / CAN_MANAGE. Default: none (no permissions resource)."""
    ignore_config_changes: bool = False
    """Terraform ignores later changes to ``config`` (a deployment job owns the served
    versions after creation). Default: false."""
    held_back: str | None = None
    """Why the served config must wait although versions are set (e.g. the synced tables
    its model looks features up from do not exist yet): the endpoint is then pending, with
    this reason in the notice. Default: none."""
    depends_on: tuple = ()
    """Resources that must exist before the endpoint serves (synced tables and their
    grants for feature lookup). Default: none."""


def _provisioned(e: ServedEntitySpec) -> list[str]:
    """The provisioned concurrency/throughput bounds an entity sets (they exclude workload_size)."""
    return [k for k in ("min_provisioned_concurrency", "max_provisioned_concurrency",
                        "min_provisioned_throughput", "max_provisioned_throughput")
            if getattr(e, k) is not None]


def _check(props: ServingEndpointProps) -> list[Finding]:
    """The provider's serving rules (databricks_spec.rules.serving) on the props."""
    out: list[Finding] = []
    if known(props.name):
        out += [Finding(("name",), f"{f.message}: {props.name!r}", serving_rules.serving_doc("name"))
                for f in endpoint_name_problem(props.name)]
    entities = props.served_entities
    out += serving_rules.served_entity_count(len(entities))
    out += rules.duplicate_keys([e.name for e in entities], "served entity name")
    models = [e for e in entities if not e.feature_spec]
    out += [f.at("served_entities") for f in serving_rules.pending_versions(
        {e.name: e.entity_version for e in models})]
    for e in entities:
        if e.feature_spec and known(e.entity_name):
            out += findings_at(("served_entities", e.name), three_part_name(e.entity_name))
    if len(models) < len(entities) and any(e.entity_version is None for e in models):
        out.append(Finding(("served_entities",), "a feature spec entity cannot share an endpoint with "
                                                 "pending model entities"))
    for e in entities:
        where = ("served_entities", e.name)
        if not ENDPOINT_NAME.match(e.name):
            out.append(Finding(where, "name may only contain letters, digits, '-' and '_'"))
        if not is_full_name(e.entity_name):
            out.append(Finding(where, f"entity_name must be catalog.schema.model, got {e.entity_name!r}"))
        out += [f.at(*where) for f in
                allowed("workload_size", e.workload_size, WORKLOAD_SIZES)
                + allowed("workload_type", e.workload_type, WORKLOAD_TYPES)
                + serving_rules.entity_sizing(e.workload_size, {k: getattr(e, k) for k in _BOUNDS})]
        out += [f.at(*where, "environment_vars") for f in serving_rules.environment_vars(
            {k: v for k, v in e.environment_vars.items() if known(v)})]
    out += serving_rules.traffic([e.name for e in entities], props.traffic)
    for i, limit in enumerate(props.rate_limits):
        out += [f.at("rate_limits", i) for f in allowed("key", limit.key, RATE_LIMIT_KEYS, "rate limit key")
                + serving_rules.rate_limit(limit.key, limit.principal, limit.calls)]
    out += [f.at("rate_limits") for f in serving_rules.unique_rate_limits(
        [(limit.key, limit.principal) for limit in props.rate_limits])]
    return out


def _entity(e: ServedEntitySpec) -> ModelServingConfigServedEntities:
    provisioned = bool(_provisioned(e))
    return ModelServingConfigServedEntities(
        name=e.name,
        entity_name=e.entity_name,
        entity_version=e.entity_version,
        workload_size=e.workload_size or (None if provisioned else "Small"),
        workload_type=e.workload_type,
        scale_to_zero_enabled=e.scale_to_zero,
        min_provisioned_concurrency=e.min_provisioned_concurrency,
        max_provisioned_concurrency=e.max_provisioned_concurrency,
        min_provisioned_throughput=e.min_provisioned_throughput,
        max_provisioned_throughput=e.max_provisioned_throughput,
        environment_vars=dict(sorted(e.environment_vars.items())) or None,
        instance_profile_arn=e.instance_profile_arn,
    )


class ServingEndpoint(FlatUnit):
    """databricks_model_serving + databricks_permissions (serving_endpoint_id)."""

    def __init__(self, scope: Scope, id: str, props: ServingEndpointProps):
        super().__init__(scope, id)
        refuse(self, _check(props))
        entities = sorted(props.served_entities, key=lambda e: e.name)
        self.name = props.name
        #: No served entity has a version yet: created without ``config`` and ``ai_gateway``.
        self.pending = props.held_back is not None or all(
            e.entity_version is None and not e.feature_spec for e in entities)

        config = None
        ai_gateway = None
        notice = None
        if not self.pending:
            traffic = props.traffic or {entities[0].name: 100}
            config = ModelServingConfigA(
                served_entities=[_entity(e) for e in entities],
                traffic_config=ModelServingConfigTrafficConfig(routes=[
                    ModelServingConfigTrafficConfigRoutes(served_entity_name=name,
                                                          traffic_percentage=traffic[name])
                    for name in sorted(traffic)]),
            )
            ai_gateway = self._ai_gateway(props)
        elif props.held_back is not None:
            notice = (
                f"serving endpoint {props.name} is pending: {props.held_back}. It is created without "
                "served entities, AI gateway or inference table until then (docs/features.md).")
        else:
            waiting = ", ".join(f"{e.name} ({e.entity_name})" for e in entities)
            notice = (
                f"serving endpoint {props.name} is pending: no model version set for {waiting}. "
                "It is created without served entities, AI gateway or inference table; set "
                "'version' in the project config once a version is registered (docs/serving.md).")

        notifications = None
        if props.notify_on_update_failure or props.notify_on_update_success:
            notifications = ModelServingEmailNotifications(
                on_update_failure=sorted(set(props.notify_on_update_failure)) or None,
                on_update_success=sorted(set(props.notify_on_update_success)) or None)

        self.resource = ModelServing(*self.at("Resource"),
            name=props.name,
            description=props.description,
            config=config,
            ai_gateway=ai_gateway,
            tags=[ModelServingTags(key=k, value=v) for k, v in sorted(props.tags.items())] or None,
            email_notifications=notifications,
            route_optimized=props.route_optimized or None,
            budget_policy_id=props.budget_policy_id,
            lifecycle={"ignore_changes": ["config"]} if props.ignore_config_changes else None,
            depends_on=list(props.depends_on) or None,
        )
        if notice:  # on the resource: a flat unit is not a construct (mlops_constructs.unit)
            Annotations.of(self.resource).add_info(notice)
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="serving_endpoint_id",
                object_id=self.resource.serving_endpoint_id,
                access=props.permissions, valid_levels=frozenset(SERVING_LEVELS)))

    @staticmethod
    def _ai_gateway(props: ServingEndpointProps) -> ModelServingAiGateway | None:
        table = props.inference_table
        limits = sorted(props.rate_limits, key=lambda r: r.sort_key)
        if table is None and not limits and not props.usage_tracking:
            return None
        return ModelServingAiGateway(
            inference_table_config=(ModelServingAiGatewayInferenceTableConfig(
                enabled=True, catalog_name=table.catalog_name, schema_name=table.schema_name,
                table_name_prefix=table.table_name_prefix) if table.enabled
                else ModelServingAiGatewayInferenceTableConfig(enabled=False)) if table else None,
            rate_limits=[ModelServingAiGatewayRateLimits(
                renewal_period="minute", calls=r.calls, key=r.key, principal=r.principal,
                tokens=r.tokens) for r in limits] or None,
            usage_tracking_config=ModelServingAiGatewayUsageTrackingConfig(enabled=True)
            if props.usage_tracking else None,
        )

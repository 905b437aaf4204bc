"""Model serving configuration: a project's ``serving.endpoints`` section.

The same concept as ``databricks_spec.rules.serving`` (its provider rules) and ``stacks.serving``
(which composes the endpoints), seen from the config layer.

One entry per endpoint, keyed by a stable name (the Terraform address derives
from it). Each endpoint serves one or more versions of Unity Catalog models in
the environment's catalog, split traffic between them, captures requests and
responses to an inference table through the AI gateway, and is governed by
roles. See docs/serving.md for every key with its default.

The environment-dependent rule (whether an entity may scale to zero there) runs with the
other environment rules in ``platform_config.environment_rules``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PositiveInt, StringConstraints, ValidationInfo, field_validator, model_validator

from databricks_spec.enums import RateLimitKey, WorkloadSize, WorkloadType
from databricks_spec.formats import EMAIL_PATTERN
from databricks_spec.names import ENDPOINT_NAME
from databricks_spec.permissions import SERVING_LEVELS, ServingLevel
from databricks_spec.rules import Finding, serving as serving_rules
from platform_config.rule_adapter import raise_findings
from platform_config.base import Model, Slug, Tags, UcName
from platform_config.observability import EmailTarget
from platform_config.features import FeatureLookupConfig
from platform_config.references import RoleName


#: Endpoint and served-entity names (provider docs: model_serving, "name").
ServingName = Annotated[str, StringConstraints(pattern=ENDPOINT_NAME.pattern)]

#: An e-mail address for notifications.
Email = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN)]

#: Permission levels on a serving endpoint, lowest first: the spec's one order (databricks_spec.permissions).
SERVING_LEVEL_RANK = SERVING_LEVELS


class ServedEntityConfig(FeatureLookupConfig):
    """One served entity: a version of a Unity Catalog model and its compute."""

    model: UcName | None = None
    """Registered model name, in the project's model schema of the environment's
    catalog. Default: the project's model (``model.name``)."""
    version: PositiveInt | None = None
    """Model version to serve. Default: null = pending: the model has no version
    yet, so the endpoint is created without a served config (safe first deploy,
    see docs/serving.md). 'pending' is accepted as a synonym for null."""
    workload_size: WorkloadSize | None = None
    """Small / Medium / Large. Default: Small, unless provisioned concurrency or
    throughput is set (they are mutually exclusive with workload_size)."""
    workload_type: WorkloadType = "CPU"
    """Compute type. Default: CPU."""
    scale_to_zero: bool | None = None
    """Scale the entity's compute to zero when idle. Default: the environment's
    ``serving.scale_to_zero`` (true in dev/staging, false in prod)."""
    scale_to_zero_override: bool = False
    """Explicitly allow scale_to_zero: true where the environment forbids it
    (``serving.allow_scale_to_zero: false``). Default: false."""
    min_provisioned_concurrency: Annotated[int, Field(ge=0)] | None = None
    """Lower bound of provisioned concurrency. Conflicts with workload_size. Default: unset."""
    max_provisioned_concurrency: PositiveInt | None = None
    """Upper bound of provisioned concurrency. Conflicts with workload_size. Default: unset."""
    min_provisioned_throughput: Annotated[int, Field(ge=0)] | None = None
    """Lower bound in tokens per second (foundation models). Conflicts with
    workload_size and provisioned concurrency. Default: unset."""
    max_provisioned_throughput: PositiveInt | None = None
    """Upper bound in tokens per second. Default: unset."""
    environment_vars: dict[str, str] = Field(default_factory=dict)
    """Variable name -> ``{{secrets/<scope>/<key>}}``. Only secret references are
    accepted: values never go into config or Terraform state. Default: none."""
    instance_profile_arn: str | None = None
    """AWS instance profile the entity assumes. Default: unset."""

    @field_validator("version", mode="before", json_schema_input_type=PositiveInt | Literal["pending"] | None)
    @classmethod
    def _pending(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() == "pending":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return value

    @field_validator("environment_vars")
    @classmethod
    def _secret_refs_only(cls, value: dict[str, str]) -> dict[str, str]:
        raise_findings(serving_rules.environment_vars(value))
        return value

    @model_validator(mode="after")
    def _compute_exclusive(self) -> "ServedEntityConfig":
        raise_findings(serving_rules.entity_sizing(self.workload_size, {
            k: getattr(self, k) for k in ("min_provisioned_concurrency", "max_provisioned_concurrency",
                                          "min_provisioned_throughput", "max_provisioned_throughput")}))
        return self


class InferenceTableConfig(Model):
    """AI gateway inference table: requests and responses captured to Unity Catalog,
    always in the environment's catalog. Changing schema or table_prefix after the
    first deploy forces the endpoint to be replaced (docs/serving.md)."""

    enabled: bool = True
    """Capture payloads. Default: true."""
    schema_name: UcName | None = Field(default=None, alias="schema")
    """Schema of the table. Default: the project's model schema."""
    table_prefix: UcName | None = None
    """Table name prefix; the table is ``<prefix>_payload``. Default: the endpoint's
    key in snake_case (the catalog already carries the environment)."""


class RateLimitConfig(Model):
    """An AI gateway rate limit in calls per minute."""

    key: RateLimitKey = "endpoint"
    """What the limit counts: endpoint (all traffic), user, user_group or
    service_principal (each one, or only ``principal``). Default: endpoint."""
    calls: PositiveInt
    """Calls allowed per minute. Required."""
    principal: str | None = None
    """Limit only this user (e-mail), group (name) or service principal
    (application id). Default: every principal of the key's kind."""
    tokens: PositiveInt | None = None
    """Tokens allowed per minute (foundation/external models). Default: unset."""

    @model_validator(mode="after")
    def _principal(self) -> "RateLimitConfig":
        raise_findings(serving_rules.rate_limit(self.key, self.principal, self.calls))
        return self


class EndpointNotificationsConfig(Model):
    """E-mails the endpoint sends (provider docs: model_serving, 'email_notifications Block')."""

    on_update_failure: list[EmailTarget] = Field(default_factory=list)
    """E-mail addresses, or keys of the environment's email notification destinations
    (docs/observability.md), notified when the endpoint fails to update. Default: none."""
    on_update_success: list[EmailTarget] = Field(default_factory=list)
    """Notified when an update succeeds. Default: none."""


class ServingEndpointConfig(Model):
    """One model serving endpoint."""

    enabled: bool = True
    """Deploy this endpoint in the environment. Default: true."""
    name: ServingName | None = None
    """Workspace name before the environment's naming rule. Default: the key when it
    equals the project's name, else '<project>-<key>'. Changing it replaces the endpoint."""
    description: str | None = None
    """Default: the project's description."""
    entities: dict[ServingName, ServedEntityConfig]
    """Served entities by name (e.g. champion, challenger); at most 10. Required."""
    traffic: dict[ServingName, Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=dict)
    """Entity name -> percent of traffic; must name every entity and sum to 100.
    Default: 100 to the only entity (required with several entities)."""
    inference_table: InferenceTableConfig = Field(default_factory=InferenceTableConfig)
    """Payload capture. Default: enabled, in the project's schema, prefix = key."""
    usage_tracking: bool = True
    """AI gateway usage tracking (system.serving tables). Default: true."""
    rate_limits: list[RateLimitConfig] = Field(default_factory=list)
    """Calls-per-minute limits, at most one per (key, principal). Default: none."""
    notifications: EndpointNotificationsConfig = Field(default_factory=EndpointNotificationsConfig)
    """E-mails on endpoint update failure/success. Default: none."""
    route_optimized: bool = False
    """Route optimization (custom models). Changing it replaces the endpoint. Default: false."""
    budget_policy_id: str | None = None
    """Serverless budget policy. Default: unset."""
    tags: Tags
    """Endpoint tags, on top of the environment's and project's. Default: none."""
    permissions: dict[RoleName, ServingLevel] = Field(default_factory=dict)
    """Role -> CAN_VIEW / CAN_QUERY / CAN_MANAGE. Default: none."""
    config_managed_by: Literal["terraform", "deployment_job"] = "terraform"
    """Who owns the served config after creation. terraform: versions, sizes and
    traffic come from this file. deployment_job: Terraform creates the endpoint
    and ignores later config changes made by a deployment job. Default: terraform."""

    @field_validator("entities")
    @classmethod
    def _entities(cls, value: dict[str, ServedEntityConfig]) -> dict[str, ServedEntityConfig]:
        for f in serving_rules.served_entity_count(len(value)):
            raise ValueError(str(f))
        raise_findings(serving_rules.pending_versions({n: e.version for n, e in value.items()}))
        return value

    @field_validator("traffic")
    @classmethod
    def _traffic(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        entities = info.data.get("entities")
        if entities is not None and value:  # several entities without a split: _split_required
            raise_findings(serving_rules.traffic(list(entities), value))
        return value

    @model_validator(mode="after")
    def _split_required(self) -> "ServingEndpointConfig":
        if not self.traffic:
            raise_findings(serving_rules.traffic(list(self.entities), {}))
        return self

    @field_validator("rate_limits")
    @classmethod
    def _unique_limits(cls, value: list[RateLimitConfig]) -> list[RateLimitConfig]:
        raise_findings(serving_rules.unique_rate_limits([(limit.key, limit.principal) for limit in value]))
        return value


class ServingConfig(Model):
    """A project's model serving endpoints."""

    endpoints: dict[Slug, ServingEndpointConfig] = Field(default_factory=dict)
    """Endpoint key -> endpoint. The key names the Terraform address. Default: none."""


class ServingSettingsConfig(Model):
    """Environment-level serving policy (``serving:`` in an environment file).

    Environment differences live here, never in code: dev and staging keep the
    defaults, prod sets ``allow_scale_to_zero: false``.
    """

    allow_scale_to_zero: bool = True
    """Whether served entities may scale to zero here. When false, an entity that
    sets scale_to_zero: true is a config error unless it also sets
    scale_to_zero_override: true. Default: true."""
    scale_to_zero: bool | None = None
    """Scale-to-zero for entities that do not set it. Default: the value of
    allow_scale_to_zero (on where allowed, off where not)."""

    @property
    def scale_to_zero_default(self) -> bool:
        return self.allow_scale_to_zero if self.scale_to_zero is None else self.scale_to_zero

    @model_validator(mode="after")
    def _consistent(self) -> "ServingSettingsConfig":
        if self.scale_to_zero and not self.allow_scale_to_zero:
            raise_findings([Finding(("scale_to_zero",), "cannot default to scale-to-zero where "
                                                     "allow_scale_to_zero is false")])
        return self

"""Model serving configuration: a project's ``serving.endpoints`` section.

One entry per endpoint, keyed by a stable name (the Terraform address derives
from it). Each endpoint serves one or more versions of Unity Catalog models in
the environment's catalog, split traffic between them, captures requests and
responses to an inference table through the AI gateway, and is governed by
roles. See docs/serving.md for every key with its default.

Environment-dependent rules (scale-to-zero) read the environment from the
validation context (``context={"env": EnvironmentConfig}``) the loader passes;
without a context they are skipped (a project validated on its own).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, PositiveInt, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError, ValidationError

from platform_config.base import Model, Slug, Tags, UcName
from platform_config.observability import EmailTarget
from platform_config.references import RoleName
from platform_config.secrets import SECRET_REFERENCE

WorkloadSize = Literal["Small", "Medium", "Large"]
WorkloadType = Literal["CPU", "GPU_SMALL", "GPU_MEDIUM", "GPU_LARGE", "MULTIGPU_MEDIUM"]
ServingLevel = Literal["CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"]
RateLimitKey = Literal["endpoint", "user", "user_group", "service_principal"]

#: Endpoint and served-entity names (provider docs: model_serving, "name").
ServingName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]

#: An e-mail address for notifications.
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Permission levels on a serving endpoint, lowest first (provider docs: permissions, "Model serving usage").
SERVING_LEVEL_RANK = ["CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"]


def located_error(*problems: tuple[tuple, str]) -> ValidationError:
    """A ValidationError for problems at key paths *below* the model being validated.

    Raised from a validator, pydantic prefixes each path with the model's own
    location, so the loader reports the exact file:line of the offending key.
    """
    return ValidationError.from_exception_data("config", [
        {"type": PydanticCustomError("mlops_rule", "{message}", {"message": message}),
         "loc": tuple(loc), "input": None}
        for loc, message in problems
    ])


def _env(info: ValidationInfo) -> Any:
    return (info.context or {}).get("env") if info is not None else None


class ServedEntityConfig(Model):
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

    @field_validator("version", mode="before")
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
        problems = []
        for name, ref in value.items():
            if not ENV_VAR_NAME.match(name):
                problems.append(((name,), "not a valid environment variable name "
                                          "(letters, digits and '_', not starting with a digit)"))
            elif not SECRET_REFERENCE.match(str(ref)):
                problems.append(((name,), "environment variables may only reference secrets as "
                                          "{{secrets/<scope>/<key>}}; a literal value would be stored "
                                          "in config and Terraform state"))
        if problems:
            raise located_error(*problems)
        return value

    @model_validator(mode="after")
    def _compute_exclusive(self, info: ValidationInfo) -> "ServedEntityConfig":
        problems = []
        concurrency = [k for k in ("min_provisioned_concurrency", "max_provisioned_concurrency")
                       if getattr(self, k) is not None]
        throughput = [k for k in ("min_provisioned_throughput", "max_provisioned_throughput")
                      if getattr(self, k) is not None]
        if self.workload_size is not None and (concurrency or throughput):
            other = (concurrency or throughput)[0]
            problems.append((("workload_size",),
                             f"workload_size and {other} are mutually exclusive: size the entity "
                             "either by workload_size or by provisioned concurrency/throughput "
                             "(provider docs: model_serving, 'served_entities Configuration Block')"))
        if concurrency and throughput:
            problems.append(((throughput[0],), "provisioned concurrency and provisioned throughput "
                                               "are mutually exclusive"))
        for low, high in (("min_provisioned_concurrency", "max_provisioned_concurrency"),
                          ("min_provisioned_throughput", "max_provisioned_throughput")):
            lo, hi = getattr(self, low), getattr(self, high)
            if (lo is None) != (hi is None):
                missing = high if hi is None else low
                problems.append(((missing,), f"set both {low} and {high}"))
            elif lo is not None and lo > hi:
                problems.append(((low,), f"{low} ({lo}) must not exceed {high} ({hi})"))
        env = _env(info)
        if env is not None and self.scale_to_zero and not env.serving.allow_scale_to_zero \
                and not self.scale_to_zero_override:
            problems.append((("scale_to_zero",),
                             f"environment '{env.name}' does not allow scale-to-zero "
                             "(serving.allow_scale_to_zero: false in its environment file); set it "
                             "to false for this environment, or add scale_to_zero_override: true to "
                             "opt in explicitly"))
        if problems:
            raise located_error(*problems)
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
        if self.key == "endpoint" and self.principal:
            raise located_error((("principal",), "a rate limit with key 'endpoint' applies to the "
                                                 "whole endpoint and takes no principal"))
        return self


class EndpointNotifications(Model):
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
    notifications: EndpointNotifications = Field(default_factory=EndpointNotifications)
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
        if not value:
            raise ValueError("an endpoint needs at least one served entity")
        if len(value) > 10:
            raise ValueError(f"an endpoint serves at most 10 entities, got {len(value)} "
                             "(provider docs: model_serving, 'served_entities')")
        known = [n for n, e in value.items() if e.version is not None]
        pending = [n for n, e in value.items() if e.version is None]
        if known and pending:
            raise located_error(*[((n, "version"),
                                   f"entity '{n}' has no version while {', '.join(sorted(known))} "
                                   "has one: set its version, or remove the entity until it has "
                                   "one (only a whole endpoint can be pending)") for n in pending])
        return value

    @field_validator("traffic")
    @classmethod
    def _traffic(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        entities = info.data.get("entities")
        if entities is None:
            return value
        if not value:
            return value  # several entities without a split: _split_required
        problems = [((name,), f"no entity named '{name}' (entities: {', '.join(sorted(entities))})")
                    for name in value if name not in entities]
        missing = sorted(set(entities) - set(value))
        if problems:
            raise located_error(*problems)
        if missing:
            raise ValueError(f"traffic must name every entity; missing: {', '.join(missing)} "
                             "(use 0 to serve without routing traffic)")
        total = sum(value.values())
        if total != 100:
            split = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
            raise ValueError(f"traffic percentages must sum to 100, got {total} ({split})")
        return value

    @model_validator(mode="after")
    def _split_required(self) -> "ServingEndpointConfig":
        if not self.traffic and len(self.entities) > 1:
            raise located_error((("traffic",), f"several entities ({', '.join(sorted(self.entities))}) "
                                               "need a traffic split: entity name -> percent, summing to 100"))
        return self

    @field_validator("rate_limits")
    @classmethod
    def _unique_limits(cls, value: list[RateLimitConfig]) -> list[RateLimitConfig]:
        seen: dict[tuple, int] = {}
        problems = []
        for i, limit in enumerate(value):
            ident = (limit.key, limit.principal)
            if ident in seen:
                who = f" for {limit.principal}" if limit.principal else ""
                problems.append(((i,), f"duplicate rate limit (key {limit.key}{who}), "
                                       f"already set at rate_limits[{seen[ident]}]"))
            seen.setdefault(ident, i)
        if problems:
            raise located_error(*problems)
        return value


class ServingConfig(Model):
    """A project's model serving endpoints."""

    endpoints: dict[Slug, ServingEndpointConfig] = Field(default_factory=dict)
    """Endpoint key -> endpoint. The key names the Terraform address. Default: none."""


class ServingSettings(Model):
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
    def _consistent(self) -> "ServingSettings":
        if self.scale_to_zero and not self.allow_scale_to_zero:
            raise located_error((("scale_to_zero",), "cannot default to scale-to-zero where "
                                                     "allow_scale_to_zero is false"))
        return self

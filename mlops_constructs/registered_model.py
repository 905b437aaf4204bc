"""UcRegisteredModel: a Unity Catalog registered model with its grants.

Changing name, catalog_name or schema_name forces the provider to recreate the
model (and lose its versions) (provider docs: registered_model, 'Argument
Reference'): stateful environments set prevent_destroy, and the plan review
flags the replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import RegisteredModel

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.grants import grants_on
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class UcRegisteredModelProps:
    """Where the model lives and who may use it."""

    catalog_name: str
    """Parent catalog (a token referencing the catalog keeps Terraform's ordering)."""
    schema_name: str
    """Parent schema's name relative to the catalog (a token referencing the schema keeps the ordering)."""
    name: str
    """Model name relative to the schema."""
    comment: str | None = None
    """Default: no comment."""
    owner: str | None = None
    """Default: the deploying principal."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the model (provider docs: grants, 'Registered model grants').
    Default: none (no grants resource)."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy. Default: false."""
    deployer: Principal | None = None
    """The deploying principal, kept in the (authoritative) grants. Default: none."""


class UcRegisteredModel(FlatUnit):
    """databricks_registered_model + authoritative databricks_grants on it. ``full_name``
    is ``<catalog>.<schema>.<model>``."""

    def __init__(self, scope: Scope, id: str, props: UcRegisteredModelProps):
        super().__init__(scope, id)
        if "." in props.name:
            raise ConstructError(self, f"model name {props.name!r} must not contain '.'; give the "
                             "name relative to the schema (provider docs: registered_model)")
        self.resource = RegisteredModel(*self.at("Resource"),
            catalog_name=props.catalog_name, schema_name=props.schema_name, name=props.name,
            comment=props.comment, owner=props.owner,
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
        )
        self.full_name = f"{props.catalog_name}.{props.schema_name}.{props.name}"
        self.grants = grants_on(self, "model", self.resource.id, props.grants, deployer=props.deployer)

"""UcRegisteredModel: a Unity Catalog registered model with its grants.

Changing name, catalog_name or schema_name forces the provider to recreate the
model (and lose its versions): the plan review flags that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_databricks.registered_model import RegisteredModel
from constructs import Construct

from mlops_constructs.grants import UcGrants, UcGrantsProps
from mlops_constructs.principal import Principal

#: Privileges a registered model accepts (provider docs, grants.md "Registered model grants").
MODEL_PRIVILEGES = frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"})


@dataclass(frozen=True, kw_only=True)
class UcRegisteredModelProps:
    """Where the model lives and who may use it."""

    catalog_name: str
    schema_name: str
    name: str
    comment: str | None = None
    """Default: no comment."""
    owner: str | None = None
    """Default: the deploying principal."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the model. Default: none (no grants resource)."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy. Default: false."""
    deployer: Principal | None = None
    """The deploying principal, kept in the (authoritative) grants. Default: none."""


class UcRegisteredModel(Construct):
    """databricks_registered_model + authoritative databricks_grants on it."""

    def __init__(self, scope: Construct, id: str, props: UcRegisteredModelProps):
        super().__init__(scope, id)
        for principal, privileges in props.grants.items():
            bad = sorted(set(privileges) - MODEL_PRIVILEGES)
            if bad:
                raise ValueError(f"{self.node.path}: {', '.join(bad)} not valid on a registered model "
                                 f"for {principal.name}; valid: {', '.join(sorted(MODEL_PRIVILEGES))} "
                                 "(provider docs: grants, 'Registered model grants')")
        self.resource = RegisteredModel(
            self, "Resource",
            catalog_name=props.catalog_name, schema_name=props.schema_name, name=props.name,
            comment=props.comment, owner=props.owner,
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
        )
        self.full_name = f"{props.catalog_name}.{props.schema_name}.{props.name}"
        if props.grants:
            UcGrants(self, "Grants", UcGrantsProps(securable_type="model",
                                                   securable_name=self.resource.id,
                                                   privileges=props.grants,
                                                   deployer=props.deployer))

"""UcSchema: a Unity Catalog schema with owner, properties, grants and protection.

Changing ``name``, ``catalog_name`` or ``storage_root`` forces the provider to
recreate the schema (provider docs: schema, 'Argument Reference'), dropping
every table, volume and model in it: stateful environments set prevent_destroy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import Schema

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.grants import GrantMode, grants_on
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class UcSchemaProps:
    catalog_name: str
    """Parent catalog (a token referencing the catalog keeps Terraform's ordering)."""
    name: str
    """Schema name relative to the catalog."""
    comment: str | None = None
    """Default: no comment."""
    owner: str | None = None
    """Owner (group name, user name or application id). Default: the deploying principal."""
    storage_root: str | None = None
    """Managed storage location (change forces replacement). Default: the catalog's."""
    properties: dict[str, str] = field(default_factory=dict)
    """Schema properties. Default: none."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy. Default: false."""
    force_destroy: bool = False
    """Destroy the schema with whatever it holds (tables the jobs wrote): provider
    ``force_destroy``. Default: false: destroying a schema that holds tables fails."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the schema. Default: none (no grants resource)."""
    grant_mode: GrantMode = "authoritative"
    """See UcGrants. Default: authoritative."""
    deployer: Principal | None = None
    """The deploying principal, kept in authoritative grants. Default: none."""


class UcSchema(FlatUnit):
    """databricks_schema + grants on it. ``name`` is the schema's own name, ``full_name``
    is ``<catalog>.<schema>`` (its id); both are tokens referencing the resource."""

    def __init__(self, scope: Scope, id: str, props: UcSchemaProps):
        super().__init__(scope, id)
        if "." in props.name:
            raise ConstructError(self, f"schema name {props.name!r} must not contain '.'; "
                             "give the name relative to the catalog (provider docs: schema)")
        self.resource = Schema(*self.at("Resource"), catalog_name=props.catalog_name, name=props.name, comment=props.comment,
            owner=props.owner, storage_root=props.storage_root,
            properties=dict(sorted(props.properties.items())) or None,
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
            force_destroy=True if props.force_destroy else None,
        )
        self.name: str = self.resource.name
        self.full_name: str = self.resource.id
        self.grants = grants_on(self, "schema", self.full_name, props.grants, props.grant_mode, props.deployer)

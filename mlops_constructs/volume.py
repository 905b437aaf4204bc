"""UcVolume: a Unity Catalog volume (managed or external) with grants and protection.

Changing ``catalog_name``, ``schema_name``, ``volume_type`` or
``storage_location`` forces the provider to recreate the volume (provider
docs: volume, 'Argument Reference'); a managed volume's files go with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import Volume

from databricks_spec.rules.unity_catalog import volume_storage
from databricks_spec.enums import VolumeType
from mlops_constructs.rule_adapter import refuse

from mlops_constructs.grants import GrantMode, grants_on
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class UcVolumeProps:
    catalog_name: str
    schema_name: str
    """Parent schema's name (a token referencing the schema keeps Terraform's ordering)."""
    name: str
    volume_type: VolumeType = "MANAGED"
    """MANAGED: storage in the schema's managed location; EXTERNAL: at storage_location. Default: MANAGED."""
    storage_location: str | None = None
    """URL inside an existing external location. Required for EXTERNAL, invalid for MANAGED. Default: unset."""
    comment: str | None = None
    """Default: no comment."""
    owner: str | None = None
    """Default: the deploying principal."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy. Default: false."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the volume. Default: none (no grants resource)."""
    grant_mode: GrantMode = "authoritative"
    """See UcGrants. Default: authoritative."""
    deployer: Principal | None = None
    """The deploying principal, kept in authoritative grants. Default: none."""


class UcVolume(FlatUnit):
    """databricks_volume + grants on it. ``full_name`` (its id) and ``path`` are tokens."""

    def __init__(self, scope: Scope, id: str, props: UcVolumeProps):
        super().__init__(scope, id)
        refuse(self, volume_storage(props.volume_type, props.storage_location))
        self.resource = Volume(*self.at("Resource"), catalog_name=props.catalog_name, schema_name=props.schema_name,
            name=props.name, volume_type=props.volume_type, storage_location=props.storage_location,
            comment=props.comment, owner=props.owner,
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
        )
        self.full_name: str = self.resource.id
        self.path: str = self.resource.volume_path
        self.grants = grants_on(self, "volume", self.full_name, props.grants, props.grant_mode, props.deployer)

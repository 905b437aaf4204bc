"""UcCatalog: the environment's Unity Catalog catalog, created or referenced, with grants.

* created (``UcCatalog(scope, id, props)``): a databricks_catalog this platform owns.
  Changing ``storage_root`` forces the provider to recreate the catalog (provider
  docs: catalog, 'Argument Reference'), so stateful environments set prevent_destroy.
* referenced (``UcCatalog.from_name(scope, id, name, ...)``, the only spelling for a
  catalog the platform does not own): owned elsewhere (a platform team); a
  databricks_catalog data source makes ``terraform plan`` fail early, with a clear
  message, when it does not exist. Nothing about it is managed except the grants
  listed here (additive by default, so the owning team's grants survive).

``name`` is a token referencing the resource or data source, so everything
placed in the catalog (schemas, grants) is ordered after it by Terraform.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import Catalog, DataDatabricksCatalog

from mlops_constructs.grants import GrantMode, grants_on
from mlops_constructs.principal import Principal
from mlops_constructs.reference import reference_unit
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class UcCatalogProps:
    """A catalog this platform creates and owns. One it does not own: ``UcCatalog.from_name``."""

    name: str
    """Catalog name, e.g. mlops_prod."""
    comment: str | None = None
    """Default: no comment."""
    owner: str | None = None
    """Owner (group name, user name or application id). Default: the deploying principal."""
    storage_root: str | None = None
    """Managed storage location (change forces replacement). Default: the metastore's."""
    properties: dict[str, str] = field(default_factory=dict)
    """Catalog properties. Default: none."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy on the catalog. Default: false."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the catalog. Default: none (no grants resource)."""
    grant_mode: GrantMode = "authoritative"
    """See UcGrants. Default: authoritative."""
    deployer: Principal | None = None
    """The deploying principal, kept in authoritative grants. Default: none."""


class UcCatalog(FlatUnit):
    """databricks_catalog (or a data source when referenced) + grants on it.

    A catalog the platform does not own: ``UcCatalog.from_name(scope, id, name, ...)``."""

    @classmethod
    def from_name(cls, scope: Scope, id: str, name: str, *,
                  grants: dict[Principal, frozenset[str]] | None = None,
                  grant_mode: GrantMode = "additive", deployer: Principal | None = None) -> "UcCatalog":
        """Reference an existing catalog by name (a databricks_catalog data source named
        "Existing"): nothing about it is managed except ``grants``. ``grant_mode`` default:
        additive, so the owning team's grants survive."""
        unit = reference_unit(cls, scope, id)
        unit.lookup = DataDatabricksCatalog(*unit.at("Existing"), name=name)
        unit.name = unit.lookup.name
        unit.grants = grants_on(unit, "catalog", unit.name, dict(grants or {}), grant_mode, deployer)
        return unit

    def __init__(self, scope: Scope, id: str, props: UcCatalogProps):
        super().__init__(scope, id)
        self.resource = Catalog(*self.at("Resource"), name=props.name, comment=props.comment, owner=props.owner,
            storage_root=props.storage_root,
            properties=dict(sorted(props.properties.items())) or None,
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
        )
        self.name: str = self.resource.name
        self.grants = grants_on(self, "catalog", self.name, props.grants, props.grant_mode, props.deployer)

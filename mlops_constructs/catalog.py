"""UcCatalog: the environment's Unity Catalog catalog, created or referenced, with grants.

* created (``create=True``): a databricks_catalog this platform owns. Changing
  ``storage_root`` forces the provider to recreate the catalog (provider docs:
  catalog, 'Argument Reference'), so stateful environments set prevent_destroy.
* referenced (``create=False``): the catalog is owned elsewhere (a platform
  team); a databricks_catalog data source makes ``terraform plan`` fail early,
  with a clear message, when it does not exist. Nothing about it is managed
  except the grants listed here (use additive grants on a shared catalog).

``name`` is a token referencing the resource or data source, so everything
placed in the catalog (schemas, grants) is ordered after it by Terraform.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import Catalog, DataDatabricksCatalog
from constructs import Construct

from databricks_spec.rules.unity_catalog import referenced_catalog
from mlops_constructs.grants import GrantMode, grants_on
from mlops_constructs.principal import Principal
from mlops_constructs.rule_adapter import refuse


@dataclass(frozen=True, kw_only=True)
class UcCatalogProps:
    name: str
    """Catalog name, e.g. mlops_prod."""
    create: bool = True
    """True: create and own the catalog. False: reference an existing one. Default: true."""
    comment: str | None = None
    """Default: no comment. Only used when created."""
    owner: str | None = None
    """Owner (group name, user name or application id). Default: the deploying principal. Created only."""
    storage_root: str | None = None
    """Managed storage location (change forces replacement). Default: the metastore's. Created only."""
    properties: dict[str, str] = field(default_factory=dict)
    """Catalog properties. Default: none. Created only."""
    prevent_destroy: bool = False
    """Terraform lifecycle prevent_destroy on the catalog. Default: false. Created only."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges on the catalog. Default: none (no grants resource)."""
    grant_mode: GrantMode = "authoritative"
    """See UcGrants. Default: authoritative."""
    deployer: Principal | None = None
    """The deploying principal, kept in authoritative grants. Default: none."""


class UcCatalog(Construct):
    """databricks_catalog (or a data source when referenced) + grants on it.

    A catalog the platform does not own: ``UcCatalog.from_name(scope, id, name, ...)``."""

    @classmethod
    def from_name(cls, scope: Construct, id: str, name: str, *,
                  grants: dict[Principal, frozenset[str]] | None = None,
                  grant_mode: GrantMode = "additive", deployer: Principal | None = None) -> "UcCatalog":
        """Reference an existing catalog by name (a databricks_catalog data source named
        "Existing"): nothing about it is managed except ``grants``. ``grant_mode`` default:
        additive, so the owning team's grants survive."""
        return cls(scope, id, UcCatalogProps(name=name, create=False, grants=dict(grants or {}),
                                             grant_mode=grant_mode, deployer=deployer))

    def __init__(self, scope: Construct, id: str, props: UcCatalogProps):
        super().__init__(scope, id)
        if not props.create:
            refuse(self, referenced_catalog({
                "comment": props.comment, "owner": props.owner, "storage_root": props.storage_root,
                "properties": props.properties, "prevent_destroy": props.prevent_destroy}))
            self.resource = None
            self.lookup = DataDatabricksCatalog(self, "Existing", name=props.name)
            self.name: str = self.lookup.name
        else:
            self.resource = Catalog(
                self, "Resource", name=props.name, comment=props.comment, owner=props.owner,
                storage_root=props.storage_root,
                properties=dict(sorted(props.properties.items())) or None,
                lifecycle={"prevent_destroy": True} if props.prevent_destroy else None,
            )
            self.name = self.resource.name
        self.grants = grants_on(self, "catalog", self.name, props.grants, props.grant_mode, props.deployer)

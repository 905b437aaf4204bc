"""OnlineStore: a Lakebase database instance registered in Unity Catalog (preview).

Emits ``databricks_database_instance`` (Public Preview; child ``Resource``), a
``databricks_database_database_catalog`` (Private Preview; child ``Catalog``) that creates
the Postgres database and registers it as a catalog, and, when access is listed,
``databricks_permissions`` on the instance (child ``Permissions``: CAN_USE / CAN_MANAGE,
provider docs: permissions, 'Lakebase Database Instances usage').

Why a database instance rather than ``databricks_online_store`` (Private Preview): in
1.99.0 the online_store page documents only capacity, name and read replicas (no tags,
no retention, no stop, no permissions section, no example), and synced tables name a
database instance or database catalog as their target (database_synced_database_table.md),
never an online store; the database_instance page states instances serve "REST API and
Feature Store" reads. docs/features.md records the choice.

Safe choices where the docs are open: ``purge_on_delete`` is left unset (a deleted
instance is not purged); the instance's ``name``, and the catalog's ``name``,
``database_instance_name`` and ``database_name`` force replacement
(databricks_spec/replacement_rules.py), so stateful environments set prevent_destroy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


from databricks_spec import online as online_rules
from databricks_spec.online import INSTANCE_LEVELS
from databricks_spec.rules import Finding, findings_at
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.rule_adapter import known, refuse
from mlops_engine.databricks import DatabaseDatabaseCatalog, DatabaseInstance, DatabaseInstanceCustomTags
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class OnlineStoreProps:
    instance_name: str
    """Workspace-unique instance name (environment naming already applied)."""
    catalog_name: str
    """Name of the database catalog in Unity Catalog."""
    database_name: str
    """Postgres database inside the instance; created if it does not exist."""
    capacity: str = "CU_1"
    """CU_1, CU_2, CU_4 or CU_8. Default: CU_1."""
    node_count: int = 1
    """1 primary plus secondaries. Default: 1."""
    readable_secondaries: bool = False
    """Secondaries serve read-only traffic. Default: false."""
    retention_window_days: int = 7
    """History kept for point-in-time restore, 2-35 days. Default: 7."""
    stopped: bool = False
    """Stop the instance. Default: false (running)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Custom tags on the instance. Default: none."""
    permissions: dict[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_USE / CAN_MANAGE. Default: none (no permissions resource)."""
    prevent_destroy: bool = False
    """Terraform prevent_destroy on the instance and its catalog. Default: false."""


def _problems(props: OnlineStoreProps) -> list[Finding]:
    """The spec rules (databricks_spec.online) as findings; unresolved tokens are skipped."""
    out = [*findings_at(("capacity",), online_rules.capacity(props.capacity) if known(props.capacity) else []),
           *findings_at(("retention_window_days",), online_rules.retention_window(props.retention_window_days)),
           *findings_at(("node_count",), online_rules.node_count(props.node_count, props.readable_secondaries)),
           *findings_at(("instance_name",), online_rules.instance_name(props.instance_name)
                        if known(props.instance_name) else [])]
    bad = sorted({lvl for lvl in props.permissions.values() if lvl not in INSTANCE_LEVELS})
    if bad:
        out.append(Finding(("permissions",), f"invalid permission level(s) {', '.join(bad)}; valid: "
                                             f"{', '.join(INSTANCE_LEVELS)} (provider docs: permissions, "
                                             "'Lakebase Database Instances usage')"))
    return out


class OnlineStore(FlatUnit):
    """databricks_database_instance + databricks_database_database_catalog (+ permissions).
    ``instance_name`` and ``catalog_name`` are tokens referencing the resources."""

    def __init__(self, scope: Scope, id: str, props: OnlineStoreProps):
        super().__init__(scope, id)
        refuse(self, _problems(props))
        lifecycle = {"prevent_destroy": True} if props.prevent_destroy else None
        self.resource = DatabaseInstance(*self.at("Resource"), name=props.instance_name, capacity=props.capacity,
            node_count=props.node_count,
            enable_readable_secondaries=props.readable_secondaries or None,
            retention_window_in_days=props.retention_window_days,
            stopped=props.stopped or None,
            custom_tags=[DatabaseInstanceCustomTags(key=k, value=v) for k, v in sorted(props.tags.items())] or None,
            lifecycle=lifecycle)
        self.instance_name: str = self.resource.name
        self.catalog = DatabaseDatabaseCatalog(*self.at("Catalog"), name=props.catalog_name, database_instance_name=self.instance_name,
            database_name=props.database_name, create_database_if_not_exists=True, lifecycle=lifecycle)
        self.catalog_name: str = self.catalog.name
        self.permissions = None
        if props.permissions:
            self.permissions = ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="database_instance_name", object_id=self.instance_name,
                access=dict(props.permissions), valid_levels=frozenset(INSTANCE_LEVELS)))

"""Compose the Feature Store units (docs/features.md): an environment's online stores, and
a project's governed feature tables and synced tables.

Construct ids derive from config keys: ``online_store_<key>`` (under the platform),
``feature_table_<key>`` and ``synced_table_<key>`` (under the project), never list
positions. Everything arrives resolved (resolution.features); cross-unit references go
through StackRefs.

Gating (first deploy): a feature table marked ``pending`` (the job has not written it yet)
gets neither grants nor a synced table; a notice says so. Preview resources (the
database instance, catalog and synced tables) exist only where config opts in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from mlops_constructs.feature_table import FeatureTable, FeatureTableProps
from mlops_constructs.online_store import OnlineStore, OnlineStoreProps
from mlops_constructs.synced_table import SyncedTable, SyncedTableProps
from mlops_engine import Annotations
from resolution import ResolvedEnvironment, ResolvedProject, SchemaRef
from stacks.governance import DataUnits
from stacks.refs import OnlineStoreRef, PrincipalRefs, StackRefs


def add_online_stores(scope: Construct, env: ResolvedEnvironment,
                      principals: PrincipalRefs) -> dict[str, OnlineStore]:
    """The environment's online stores as children of ``scope`` (the platform units)."""
    out = {}
    for key, s in env.online_stores.items():
        out[key] = OnlineStore(scope, f"online_store_{key}", OnlineStoreProps(
            instance_name=s.instance_name, catalog_name=s.catalog_name, database_name=s.database_name,
            capacity=s.capacity, node_count=s.node_count, readable_secondaries=s.readable_secondaries,
            retention_window_days=s.retention_window_days, stopped=s.stopped, tags=dict(s.tags),
            permissions=principals.levels(s.permissions), prevent_destroy=s.prevent_destroy))
    return out


def online_store_refs(env: ResolvedEnvironment, created: dict[str, OnlineStore] | None) -> dict[str, OnlineStoreRef]:
    """Tokens for the stores created in this stack, literal names otherwise (the platform's
    stack deploys first)."""
    if created is not None:
        return {k: OnlineStoreRef(u.instance_name, u.catalog_name) for k, u in created.items()}
    return {k: OnlineStoreRef(s.instance_name, s.catalog_name) for k, s in env.online_stores.items()}


@dataclass
class FeatureUnits:
    """What add_feature_units created, for the serving endpoints that look features up."""

    tables: dict[str, FeatureTable] = field(default_factory=dict)
    synced: dict[str, SyncedTable] = field(default_factory=dict)

    def lookup_gate(self, feature_tables: tuple[str, ...]) -> tuple[str | None, tuple]:
        """(reason to hold an endpoint back or None, resources it depends on)."""
        missing = [t for t in feature_tables if t not in self.synced]
        if missing:
            return (f"its model looks features up from {', '.join(missing)}, whose synced tables do not "
                    "exist yet (set pending: false once the feature job has written the table)"), ()
        depends = []
        for t in feature_tables:
            unit = self.synced[t]
            depends.append(unit.resource)
            if unit.readers is not None:
                depends.extend(unit.readers.resources.values())
        return None, tuple(depends)


def add_feature_units(units: Construct, project: ResolvedProject, refs: StackRefs, data: DataUnits) -> FeatureUnits:
    """The project's feature-table grants and synced tables as children of ``units``."""
    out = FeatureUnits()
    p = refs.principals
    deployer = p.deployer(project.deployer)
    features = project.features
    for key, t in features.tables.items():
        if t.pending:
            what = "grants and synced table" if t.online else "grants"
            Annotations.of(units).add_info(
                f"feature table {t.full_name} of project {project.name} is pending: its {what} are held "
                "back until the feature job has written it; set pending: false then (docs/features.md).")
            continue
        if not t.grants:
            continue
        full = t.full_name
        if t.schema_key is not None:  # through the schema's resource: Terraform creates the schema first
            full = f"{data.schemas[t.schema_key].full_name}.{full.rsplit('.', 1)[-1]}"
        out.tables[key] = FeatureTable(units, f"feature_table_{key}", FeatureTableProps(
            full_name=full, grants=p.grants(t.grants), grant_mode=t.grant_mode, deployer=deployer))
    readers_needed = {name for tables in features.lookups.values() for name in tables}
    for key, s in features.synced.items():
        store = refs.online_stores[s.store_key]
        _, schema, short = s.name.split(".")
        source = s.source_table
        if key in out.tables:
            source = out.tables[key].full_name
        reader = p.principal(features.reader) if features.reader is not None and key in readers_needed else None
        out.synced[key] = SyncedTable(units, f"synced_table_{key}", SyncedTableProps(
            name=f"{store.catalog_name}.{schema}.{short}", source_table=source,
            primary_keys=s.primary_keys, timeseries_key=s.timeseries_key,
            scheduling_policy=s.scheduling_policy, storage_catalog=refs.catalog_name,
            storage_schema=data.schema_name(SchemaRef(s.storage_schema, s.storage_schema_key)),
            readers={reader: frozenset({"SELECT"})} if reader is not None else {},
            prevent_destroy=s.prevent_destroy))
    return out

"""Feature tables, online stores and synced tables, resolved (docs/features.md).

Same concept as platform_config/features.py (config) and stacks/features.py (composition),
seen from the resolution layer. Pure: no jsii. Every name comes from resolution.names,
every tag map from resolution.tags, every grant and level from resolution.principals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from databricks_spec.online import INSTANCE_LEVELS
from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.features import store_key
from platform_config.governance import GrantMode, prevent_destroy
from resolution import names
from resolution.principals import Member, grant_map, level_map
from resolution.tags import unit_tags

Grants = Mapping[Member, frozenset[str]]


@dataclass(frozen=True)
class ResolvedOnlineStore:
    """An environment's online store: a Lakebase instance and its database catalog."""

    key: str
    """Key in ``online_stores``: construct id ``online_store_<key>``."""
    instance_name: str
    catalog_name: str
    """The database catalog in Unity Catalog."""
    database_name: str
    capacity: str
    node_count: int
    readable_secondaries: bool
    retention_window_days: int
    stopped: bool
    tags: Mapping[str, str]
    """The environment's tags, then the store's own."""
    permissions: Mapping[Member, str]
    """Member -> the highest of CAN_USE < CAN_MANAGE its roles give."""
    prevent_destroy: bool


@dataclass(frozen=True)
class ResolvedFeatureTable:
    """One feature table the feature job writes, as a governed unit."""

    key: str
    """Its name in ``jobs.feature_engineering.tables``: construct id ``feature_table_<key>``."""
    full_name: str
    schema_key: str | None
    """The project schema holding it (the grants then go through that schema's resource)."""
    primary_keys: tuple[str, ...]
    timestamp_column: str | None
    description: str | None
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags): environment, project, the table's own,
    then the platform's keys."""
    grants: Grants
    grant_mode: GrantMode
    online: bool
    pending: bool
    """The job has not written it yet here: grants and synced table held back."""


@dataclass(frozen=True)
class ResolvedSyncedTable:
    """The synced (online) copy of one feature table in the project's store."""

    key: str
    """The feature table's key: construct id ``synced_table_<key>``."""
    store_key: str
    name: str
    """<database catalog>.<schema>.<table>."""
    source_table: str
    primary_keys: tuple[str, ...]
    timeseries_key: str | None
    scheduling_policy: str
    storage_catalog: str
    """The environment's catalog (pipeline checkpoints and event logs)."""
    storage_schema: str
    """The source table's schema."""
    storage_schema_key: str | None
    prevent_destroy: bool


@dataclass(frozen=True)
class ResolvedFeatures:
    """A project's feature units in one environment (empty without a feature job)."""

    tables: Mapping[str, ResolvedFeatureTable] = field(default_factory=dict)
    """Governed feature tables by key, sorted: those declaring a description, tags, grants
    or online (the others are left as before)."""
    synced: Mapping[str, ResolvedSyncedTable] = field(default_factory=dict)
    """Synced tables by feature table key (online and not pending), sorted."""
    lookups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Endpoint key -> the feature tables its entities look up, sorted."""
    reader: Member | None = None
    """The endpoint identity reading the online tables: the deploying principal (a
    serving endpoint looks features up with its creator's credentials)."""


def resolve_online_stores(env: EnvironmentConfig) -> dict[str, ResolvedOnlineStore]:
    out = {}
    for key, s in sorted(env.online_stores.items()):
        out[key] = ResolvedOnlineStore(
            key=key, instance_name=names.online_store_instance_name(env, key, s.name),
            catalog_name=names.database_catalog_name(env, key, s.catalog),
            database_name=names.store_database_name(key, s.database), capacity=s.capacity,
            node_count=s.node_count, readable_secondaries=s.readable_secondaries,
            retention_window_days=s.retention_window_days, stopped=s.stopped,
            tags={**env.tags, **s.tags},
            permissions=level_map(env, env.roles, s.permissions, INSTANCE_LEVELS),
            prevent_destroy=prevent_destroy(env.protection, s.protection))
    return out


def resolve_features(target: ProjectTarget, reader: Member | None) -> ResolvedFeatures:
    env, project = target.env, target.project
    fe = project.jobs.feature_engineering
    if fe is None or not fe.enabled:
        return ResolvedFeatures()
    tables, synced = {}, {}
    store = store_key(project, env)
    policy = project.online.scheduling_policy if project.online is not None else "TRIGGERED"
    for key, t in sorted(fe.tables.items()):
        if not (t.description or t.tags or t.grants or t.online):
            continue
        ref = f"{t.schema_name}.{key}" if t.schema_name else key
        full = names.table(env, project, ref)
        schema_key = t.schema_name if t.schema_name in project.schemas else None
        tables[key] = ResolvedFeatureTable(
            key=key, full_name=full, schema_key=schema_key, primary_keys=tuple(t.primary_keys),
            timestamp_column=t.timestamp_column, description=t.description, tags=unit_tags(env, project, t.tags),
            grants=grant_map(env, target.roles, t.grants), grant_mode=t.grant_mode,
            online=t.online, pending=t.pending)
        if t.online and not t.pending and store is not None:
            s = env.online_stores[store]
            catalog = names.database_catalog_name(env, store, s.catalog)
            synced[key] = ResolvedSyncedTable(
                key=key, store_key=store, name=names.synced_table_name(catalog, full), source_table=full,
                primary_keys=tuple(t.primary_keys), timeseries_key=t.timeseries_key or t.timestamp_column,
                scheduling_policy=policy, storage_catalog=env.catalog.name, storage_schema=full.split(".")[1],
                storage_schema_key=schema_key, prevent_destroy=prevent_destroy(env.protection, s.protection))
    lookups = {}
    for ep_key, ep in sorted(project.serving.endpoints.items()):
        used = sorted({n for e in ep.entities.values() for n in e.feature_tables})
        if ep.enabled and used:
            lookups[ep_key] = tuple(used)
    return ResolvedFeatures(tables=tables, synced=synced, lookups=lookups, reader=reader)

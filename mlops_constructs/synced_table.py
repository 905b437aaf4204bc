"""SyncedTable: the online copy of one feature table in an online store (Private Preview).

Emits one ``databricks_database_synced_database_table`` (child ``Resource``) inside the
store's database catalog, with a new pipeline whose checkpoints and event logs go to
``storage_catalog.storage_schema`` (a standard catalog: the environment's), and, when a
reader is given, an additive ``databricks_grant`` of SELECT on it (child ``Readers``): the
serving endpoint that looks features up reads with that identity.

``create_database_objects_if_missing`` is set, so the Postgres schema is created with the
first table. Changing ``name``, the source table, the primary keys or the timeseries key
recreates the synced table (a full re-sync while serving breaks):
databricks_spec/replacement_rules.py lists them and the plan review flags them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


from databricks_spec.online import scheduling_policy
from databricks_spec.rules import Finding, findings_at
from mlops_constructs.grants import UcGrants, UcGrantsProps
from mlops_constructs.principal import Principal
from mlops_constructs.rule_adapter import known, refuse
from mlops_constructs.uc_names import is_full_name
from mlops_engine.databricks import (DatabaseSyncedDatabaseTable, DatabaseSyncedDatabaseTableSpec,
                                     DatabaseSyncedDatabaseTableSpecNewPipelineSpec)
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class SyncedTableProps:
    name: str
    """<database catalog>.<schema>.<table> (a catalog token keeps the order after the store)."""
    source_table: str
    """catalog.schema.table of the Delta feature table."""
    primary_keys: tuple[str, ...]
    """Upsert keys; at least one."""
    storage_catalog: str
    """Standard catalog for the pipeline's intermediate files."""
    storage_schema: str
    """Schema in ``storage_catalog`` for them."""
    scheduling_policy: str = "TRIGGERED"
    """SNAPSHOT, TRIGGERED or CONTINUOUS. Default: TRIGGERED."""
    timeseries_key: str | None = None
    """Tie-break column for rows with the same key. Default: unset."""
    readers: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges granted additively (e.g. SELECT for an endpoint's identity).
    Default: none."""
    prevent_destroy: bool = False
    """Default: false."""


class SyncedTable(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: SyncedTableProps):
        super().__init__(scope, id)
        errors: list[Finding] = []
        if not props.primary_keys:
            errors.append(Finding(("primary_keys",), "a synced table needs primary keys (provider docs: "
                                                     "database_synced_database_table, 'primary_key_columns')"))
        errors += findings_at(("scheduling_policy",), scheduling_policy(props.scheduling_policy))
        for key, what, value in (("name", "name", props.name), ("source_table", "source table", props.source_table)):
            if known(value) and not is_full_name(value):
                errors.append(Finding((key,), f"{what} {value!r} must be catalog.schema.table"))
        refuse(self, errors)
        self.resource = DatabaseSyncedDatabaseTable(*self.at("Resource"), name=props.name,
            spec=DatabaseSyncedDatabaseTableSpec(
                source_table_full_name=props.source_table,
                primary_key_columns=list(props.primary_keys),
                timeseries_key=props.timeseries_key,
                scheduling_policy=props.scheduling_policy,
                create_database_objects_if_missing=True,
                new_pipeline_spec=DatabaseSyncedDatabaseTableSpecNewPipelineSpec(
                    storage_catalog=props.storage_catalog, storage_schema=props.storage_schema)),
            lifecycle={"prevent_destroy": True} if props.prevent_destroy else None)
        self.name: str = self.resource.name
        self.readers = None
        if props.readers:
            self.readers = UcGrants(self, "Readers", UcGrantsProps(
                securable_type="table", securable_name=self.name, privileges=dict(props.readers),
                mode="additive"))

"""SqlWarehouse: a databricks_sql_endpoint with permissions, or a reference to one.

Created warehouses are serverless by default (``enable_serverless_compute`` is always set
explicitly: the provider's default depends on the workspace's history, provider docs:
sql_endpoint). ``SqlWarehouse.from_id`` references an existing warehouse by its id (nothing
is read or created); ``SqlWarehouse.from_name`` reads one created by another stack (the
platform's, in the per-project layout) through the databricks_sql_warehouse data source.
Either way ``warehouse_id`` is what dashboards, queries and alert jobs take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from databricks_spec.observability import (CHANNELS, auto_stop_problem, cluster_bounds_problem,
                                           warehouse_size_problem)
from databricks_spec.privileges import WORKSPACE_OBJECTS
from databricks_spec.rules import findings_at
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.rule_adapter import refuse
from mlops_engine import Token
from mlops_engine.databricks import (DataDatabricksSqlWarehouse, SqlEndpoint, SqlEndpointChannel,
                                     SqlEndpointTags, SqlEndpointTagsCustomTags)
from mlops_constructs.reference import reference_unit
from mlops_constructs.unit import FlatUnit, Scope

WAREHOUSE_LEVELS = frozenset(WORKSPACE_OBJECTS["sql_warehouse"][1])


@dataclass(frozen=True, kw_only=True)
class SqlWarehouseProps:
    name: str
    """Display name, unique in the workspace. Required."""
    size: str = "Small"
    """cluster_size. Default: Small."""
    serverless: bool = True
    """Serverless compute (warehouse_type PRO). false: PRO on classic compute. Default: true."""
    auto_stop_mins: int = 30
    """Idle minutes before stopping (0: never). Default: 30."""
    min_clusters: int = 1
    """Default: 1."""
    max_clusters: int = 1
    """Default: 1."""
    channel: str = "CHANNEL_NAME_CURRENT"
    """Release channel. Default: CHANNEL_NAME_CURRENT."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Custom tags, emitted sorted by key. Default: none."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_VIEW/CAN_MONITOR/CAN_USE/CAN_MANAGE/IS_OWNER. Default: none (no
    permissions resource)."""


class SqlWarehouse(FlatUnit):
    """databricks_sql_endpoint ("Resource") + databricks_permissions ("Permissions")."""

    @classmethod
    def from_id(cls, scope: Scope, id: str, warehouse_id: str,
                permissions: Mapping[Principal, str] | None = None) -> "SqlWarehouse":
        """An existing warehouse by id: no resource, only its permissions when given."""
        unit = reference_unit(cls, scope, id)
        unit.warehouse_id = warehouse_id
        if permissions:
            unit._permissions(warehouse_id, permissions)
        return unit

    @classmethod
    def from_name(cls, scope: Scope, id: str, name: str) -> "SqlWarehouse":
        """A warehouse created elsewhere, read by name (databricks_sql_warehouse data source
        named "Resource"); it must exist before the stack is planned."""
        unit = reference_unit(cls, scope, id)
        unit.data = DataDatabricksSqlWarehouse(*unit.at("Resource"), name=name)
        unit.warehouse_id = unit.data.id
        return unit

    def __init__(self, scope: Scope, id: str, props: SqlWarehouseProps):
        super().__init__(scope, id)
        refuse(self, findings_at(("size",), warehouse_size_problem(props.size)),
               findings_at(("max_clusters",), cluster_bounds_problem(props.min_clusters, props.max_clusters)),
               findings_at(("auto_stop_mins",), auto_stop_problem(props.auto_stop_mins, props.serverless)))
        if props.channel not in CHANNELS.values() and not Token.is_unresolved(props.channel):
            raise ConstructError(self, f"unknown channel {props.channel!r} (provider docs: sql_endpoint)",
                                 key="channel")
        if not props.name:
            raise ConstructError(self, "a warehouse needs a name", key="name")
        tags = None
        if props.tags:
            tags = SqlEndpointTags(custom_tags=[SqlEndpointTagsCustomTags(key=k, value=v)
                                                for k, v in sorted(props.tags.items())])
        self.resource = SqlEndpoint(*self.at("Resource"), name=props.name, cluster_size=props.size,
            enable_serverless_compute=props.serverless, warehouse_type="PRO",
            auto_stop_mins=props.auto_stop_mins, min_num_clusters=props.min_clusters,
            max_num_clusters=props.max_clusters, channel=SqlEndpointChannel(name=props.channel), tags=tags)
        self.warehouse_id: str = self.resource.id
        if props.permissions:
            self._permissions(self.resource.id, props.permissions)

    def _permissions(self, warehouse_id: str, permissions: Mapping[Principal, str]) -> None:
        self.permissions = ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
            object_attribute="sql_endpoint_id", object_id=warehouse_id, access=dict(permissions),
            valid_levels=WAREHOUSE_LEVELS))

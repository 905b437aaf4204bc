"""LakeviewDashboard: a databricks_dashboard (Lakeview) with permissions.

The dashboard's document arrives serialized (``databricks_spec.lakeview.serialize``, byte-stable)
and is passed as ``serialized_dashboard`` as is: config strings in it are already Terraform
literals (platform_config.literals escapes them once, in the loader). Dashboards managed by Terraform are published with
``warehouse_id`` (provider docs: dashboard, 'Notes'); ``embed_credentials`` defaults to false
here (the provider's default is true): viewers query with their own access.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from databricks_spec.privileges import WORKSPACE_OBJECTS
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_engine.databricks import Dashboard
from mlops_constructs.unit import FlatUnit, Scope

DASHBOARD_LEVELS = frozenset(WORKSPACE_OBJECTS["dashboard"][1])


@dataclass(frozen=True, kw_only=True)
class LakeviewDashboardProps:
    display_name: str
    """Required."""
    warehouse_id: str
    """The warehouse the published dashboard runs on (a token or a literal id). Required."""
    serialized_dashboard: str
    """The Lakeview document as JSON. Required."""
    parent_path: str
    """Workspace folder (absolute, no trailing slash; created when missing). Required."""
    embed_credentials: bool = False
    """Run published queries with the publisher's credentials. Default: false."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_READ/CAN_RUN/CAN_EDIT/CAN_MANAGE. Default: none (no permissions resource)."""


class LakeviewDashboard(FlatUnit):
    """databricks_dashboard ("Resource") + databricks_permissions ("Permissions")."""

    def __init__(self, scope: Scope, id: str, props: LakeviewDashboardProps):
        super().__init__(scope, id)
        if not props.parent_path.startswith("/") or props.parent_path.endswith("/"):
            raise ConstructError(self, "parent_path must be absolute without trailing slash "
                                       "(provider docs: dashboard)", key="parent_path")
        try:
            doc = json.loads(props.serialized_dashboard)
        except ValueError as exc:
            raise ConstructError(self, f"serialized_dashboard is not JSON ({exc})", key="serialized_dashboard")
        if not isinstance(doc, dict) or not doc.get("pages"):
            raise ConstructError(self, "a dashboard needs at least one page", key="serialized_dashboard")
        self.resource = Dashboard(*self.at("Resource"), display_name=props.display_name, warehouse_id=props.warehouse_id,
            serialized_dashboard=props.serialized_dashboard, parent_path=props.parent_path,
            embed_credentials=props.embed_credentials)
        self.dashboard_id: str = self.resource.id
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="dashboard_id", object_id=self.resource.id, access=dict(props.permissions),
                valid_levels=DASHBOARD_LEVELS))

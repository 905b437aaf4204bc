"""ClusterPolicy: a databricks_cluster_policy with CAN_USE permissions, or a lookup of one by name.

Created policies are written with their definition as JSON with sorted keys,
so YAML order never changes the plan. ``ClusterPolicy.from_name`` (the only spelling
for a policy this stack does not own) reads a policy created by another stack (the environment's platform stack in the
per-project layout) through the databricks_cluster_policy data source; the
policy must exist before the stack is planned (provider docs:
data-sources/cluster_policy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from mlops_engine.databricks import (
    ClusterPolicy as ClusterPolicyResource, DataDatabricksClusterPolicy
)

from databricks_spec.names import policy_name_problem
from databricks_spec.rules.compute import policy_source
from mlops_constructs.rule_adapter import name_findings, refuse

from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.reference import reference_unit
from mlops_constructs.unit import FlatUnit, Scope

#: Permission levels for cluster policies (provider docs: permissions, "Cluster Policy usage").
POLICY_LEVELS = frozenset({"CAN_USE"})


@dataclass(frozen=True, kw_only=True)
class ClusterPolicyProps:
    """A policy this platform creates. One it does not own: ``ClusterPolicy.from_name``."""

    name: str
    """Policy name, unique in the workspace (1-100 characters)."""
    definition: Mapping[str, Any] | None = None
    """Policy definition. Conflicts with policy_family_id. Default: unset."""
    policy_family_id: str | None = None
    """Policy family to inherit. Default: unset."""
    policy_family_definition_overrides: Mapping[str, Any] | None = None
    """Rules merged into the family's definition (needs policy_family_id). Default: none."""
    description: str | None = None
    """Default: none."""
    max_clusters_per_user: int | None = None
    """Default: no limit."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_USE. Default: none (no permissions resource)."""


class ClusterPolicy(FlatUnit):
    """databricks_cluster_policy ("Resource") + databricks_permissions, or the data source ("Resource").

    ``policy_id`` is the token to put into job clusters. A policy the platform does not own
    here: ``ClusterPolicy.from_name(scope, id, name)``."""

    @classmethod
    def from_name(cls, scope: Scope, id: str, name: str) -> "ClusterPolicy":
        """Look up an existing policy by name (databricks_cluster_policy data source named
        "Resource"); it must exist before the stack is planned."""
        unit = reference_unit(cls, scope, id)
        refuse(unit, name_findings(policy_name_problem, name, "name"))
        unit.data = DataDatabricksClusterPolicy(*unit.at("Resource"), name=name)
        unit.policy_id = unit.data.id
        return unit

    def __init__(self, scope: Scope, id: str, props: ClusterPolicyProps):
        super().__init__(scope, id)
        refuse(self, name_findings(policy_name_problem, props.name, "name"))
        refuse(self, policy_source(props.definition is not None, props.policy_family_id is not None,
                                   props.policy_family_definition_overrides is not None,
                                   props.max_clusters_per_user))
        self.resource = ClusterPolicyResource(*self.at("Resource"),
            name=props.name,
            description=props.description,
            definition=json.dumps(props.definition, sort_keys=True) if props.definition is not None else None,
            policy_family_id=props.policy_family_id,
            policy_family_definition_overrides=json.dumps(props.policy_family_definition_overrides, sort_keys=True)
            if props.policy_family_definition_overrides is not None else None,
            max_clusters_per_user=props.max_clusters_per_user,
        )
        self.policy_id: str = self.resource.id
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="cluster_policy_id", object_id=self.resource.id,
                access=dict(props.permissions), valid_levels=POLICY_LEVELS))

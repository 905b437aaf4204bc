"""ObjectPermissions: databricks_permissions for one workspace object.

The same concept as ``databricks_spec.permissions`` (the levels per object type) seen from the
construct layer.

The provider's databricks_permissions is authoritative for the object: it
replaces every ACL entry not listed (the object's creator keeps IS_OWNER on
objects that have owners). Entries are emitted sorted by principal (its stable
key, so a service principal created in the same apply sorts by its config key,
not by its token) so plans show no reordering noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import Permissions, PermissionsAccessControl
from databricks_spec.diagnostics import ConstructError
from databricks_spec.rules.permissions import permission_levels
from mlops_constructs.rule_adapter import refuse
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit


@dataclass(frozen=True, kw_only=True)
class ObjectPermissionsProps:
    """Which object, and who gets which permission level on it."""

    object_attribute: str
    """The databricks_permissions argument naming the object, e.g. 'experiment_id', 'job_id'."""
    object_id: str
    """The object's id (usually a token referencing the object's resource)."""
    access: dict[Principal, str] = field(default_factory=dict)
    """Principal -> permission level (valid levels depend on the object type)."""
    valid_levels: frozenset[str] | None = None
    """When set, every level must be one of these. Default: not checked here."""


class ObjectPermissions(FlatUnit):
    """One databricks_permissions resource with a sorted access_control list, addressed as the
    child ``Resource`` of ``scope``/``id`` (created in the stack: mlops_constructs.unit)."""

    def __init__(self, scope: object, id: str, props: ObjectPermissionsProps):
        super().__init__(scope, id)
        if not props.access:
            raise ConstructError(self, "permissions need at least one access entry")
        if props.valid_levels is not None:
            refuse(self, permission_levels(sorted(props.valid_levels),
                                           {p.key: level for p, level in props.access.items()}))
        controls = [
            PermissionsAccessControl(permission_level=level, **{principal.kind: principal.name})
            for principal, level in sorted(props.access.items(), key=lambda kv: kv[0].sort_key)
        ]
        self.resource = Permissions(*self.at("Resource"), access_control=controls,
                                    **{props.object_attribute: props.object_id})

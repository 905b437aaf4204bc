"""Provider rules for workspace permission levels and Unity Catalog privileges.

The same concept as ``databricks_spec.permissions`` (the levels) and ``mlops_constructs.permissions``
(the databricks_permissions construct), seen as rules.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from databricks_spec.permissions import WORKSPACE_OBJECTS
from databricks_spec.privileges import invalid_privileges, privilege_error
from databricks_spec.rules import Finding


def permission_levels(valid: Sequence[str], levels: Mapping[str, str], doc: str = "") -> list[Finding]:
    """Every level in ``levels`` (who -> level) is one of ``valid``; a finding's key is who."""
    return [Finding((who,), f"invalid permission level(s) {level}; valid: {', '.join(valid)}", doc)
            for who, level in sorted(levels.items()) if level not in valid]


def object_permission_levels(object_type: str, levels: Mapping[str, str]) -> list[Finding]:
    """``permission_levels`` with the levels and doc reference of a workspace object type."""
    obj = WORKSPACE_OBJECTS[object_type]
    return permission_levels(obj.levels, levels, f"provider docs: {obj.doc}")


def privileges(securable_type: str, grants: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Every privilege is one ``securable_type`` accepts, and no grantee has an empty list.

    ``grants`` maps grantee -> privileges; the key of a finding is (grantee, index)."""
    out = []
    for who, privs in grants.items():
        for i, privilege in enumerate(privs):
            if invalid_privileges(securable_type, [privilege]):
                out.append(Finding((who, i), privilege_error(securable_type, [privilege])))
        if not privs:
            out.append(Finding((who,), "list at least one privilege (or remove the role)"))
    return out

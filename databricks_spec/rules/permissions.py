"""Provider rules for workspace permission levels and Unity Catalog privileges."""

from __future__ import annotations

from typing import Mapping, Sequence

from databricks_spec.permissions import WORKSPACE_OBJECTS
from databricks_spec.privileges import invalid_privileges, privilege_error
from databricks_spec.rules import Finding


def permission_levels(object_type: str, levels: Mapping[str, str]) -> list[Finding]:
    """Every level in ``levels`` (who -> level) is one ``object_type`` accepts; key = who."""
    valid = WORKSPACE_OBJECTS[object_type].levels
    doc = f"provider docs: {WORKSPACE_OBJECTS[object_type].doc}"
    return [Finding((who,), f"permission level {level!r} not valid on a {object_type.replace('_', ' ')}; "
                            f"valid: {', '.join(valid)}", doc)
            for who, level in levels.items() if level not in valid]


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

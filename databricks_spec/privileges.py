"""Unity Catalog privileges per securable type (pure data, no jsii).

The config layer imports this module to validate privileges with file:line
errors; the constructs import it to re-check as defense in depth. One table,
two users: a rule is written once.

Sources: provider docs 1.99.0, grants.md ("Catalog grants", "Schema grants",
"Table grants", "View grants", "Volume grants", "Registered model grants",
"Function grants"), plus CREATE_MODEL, which Databricks accepts on catalogs and
schemas (Databricks docs "Privilege types by securable object in Unity Catalog")
though grants.md does not list it. Workspace object levels: databricks_spec.permissions.
"""

from __future__ import annotations

#: Securable types this platform grants on -> the databricks_grants argument naming it.
SECURABLE_TYPES: tuple[str, ...] = ("catalog", "schema", "volume", "model", "table", "function")

#: Provider docs section listing each securable type's privileges.
DOC_SECTIONS: dict[str, str] = {
    "catalog": "grants, 'Catalog grants'",
    "schema": "grants, 'Schema grants'",
    "volume": "grants, 'Volume grants'",
    "model": "grants, 'Registered model grants'",
    "table": "grants, 'Table grants' / 'View grants'",
    "function": "grants, 'Function grants'",
}

#: Valid privileges per securable type. Catalog and schema lists include the
#: privileges granted there to be inherited by the objects inside.
PRIVILEGES: dict[str, frozenset[str]] = {
    "catalog": frozenset({
        "ALL_PRIVILEGES", "APPLY_TAG", "CREATE_CONNECTION", "CREATE_SCHEMA", "MANAGE", "USE_CATALOG",
        # inherited by the objects inside the catalog
        "CREATE_FUNCTION", "CREATE_MODEL", "CREATE_TABLE", "CREATE_VOLUME", "EXECUTE", "MODIFY",
        "REFRESH", "SELECT", "READ_VOLUME", "WRITE_VOLUME", "USE_SCHEMA",
    }),
    "schema": frozenset({
        "ALL_PRIVILEGES", "APPLY_TAG", "CREATE_FUNCTION", "CREATE_MODEL", "CREATE_TABLE",
        "CREATE_VOLUME", "MANAGE", "USE_SCHEMA",
        # inherited by the objects inside the schema
        "EXECUTE", "MODIFY", "REFRESH", "SELECT", "READ_VOLUME", "WRITE_VOLUME",
    }),
    "volume": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "READ_VOLUME", "WRITE_VOLUME"}),
    "model": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"}),
    "table": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "SELECT", "MODIFY"}),
    "function": frozenset({"ALL_PRIVILEGES", "EXECUTE", "MANAGE"}),
}

#: What the deploying principal keeps on each securable this platform manages
#: with authoritative grants, so a deploy cannot lock itself out: it must still
#: read, create children, write and re-grant (MANAGE) on the next apply.
DEPLOYER_PRIVILEGES: dict[str, frozenset[str]] = {
    "catalog": frozenset({"USE_CATALOG", "USE_SCHEMA", "CREATE_SCHEMA", "CREATE_TABLE", "CREATE_MODEL",
                          "CREATE_VOLUME", "CREATE_FUNCTION", "MODIFY", "MANAGE"}),
    "schema": frozenset({"USE_SCHEMA", "CREATE_TABLE", "CREATE_MODEL", "CREATE_VOLUME",
                         "CREATE_FUNCTION", "MODIFY", "MANAGE"}),
    "volume": frozenset({"READ_VOLUME", "WRITE_VOLUME", "MANAGE"}),
    "model": frozenset({"APPLY_TAG", "EXECUTE", "MANAGE"}),
    "table": frozenset({"SELECT", "MODIFY", "MANAGE"}),
    "function": frozenset({"EXECUTE", "MANAGE"}),
}

#: Workspace permission levels live in databricks_spec.permissions; these two names stay
#: importable here for the resolution layer that reads them (the values are defined there, once).
from databricks_spec.permissions import SECRET_PERMISSIONS, WORKSPACE_OBJECTS  # noqa: E402,F401


def invalid_privileges(securable_type: str, privileges: object) -> list[str]:
    """The privileges in ``privileges`` that ``securable_type`` does not accept, sorted."""
    valid = PRIVILEGES[securable_type]
    return sorted({p for p in privileges if p not in valid})  # type: ignore[union-attr]


def privilege_error(securable_type: str, bad: list[str]) -> str:
    """The one message for an invalid privilege, used by config and constructs alike."""
    noun = "privilege" if len(bad) == 1 else "privileges"
    return (f"{noun} {', '.join(bad)} not valid on a {securable_type}; valid on a {securable_type}: "
            f"{', '.join(sorted(PRIVILEGES[securable_type]))} (provider docs: {DOC_SECTIONS[securable_type]})")

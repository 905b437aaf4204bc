"""Length and character rules of Databricks object names, and the normalization under which
two names are the same object.

Pure functions (provider rules, ``databricks_spec.rules``): each returns no findings for a valid
name, else one finding (key ``()``, the name itself) saying what is wrong and where the rule
comes from.
resolution.checks applies them to every derived name and platform_config.written_names to
names as written, both with file:line; constructs may call the same functions (skipping
unresolved tokens), so no rule exists twice.

The same concept as ``resolution.names`` (the names the platform derives, which these rules
check), seen as facts.
"""

from __future__ import annotations

import re
from typing import Callable

from databricks_spec.docs import databricks_doc, provider_doc
from databricks_spec.rules import Finding

#: Serving endpoint and served entity names (Serving API: "alphanumeric characters, dashes
#: and underscores", at most 63 characters, starting with a letter or digit).
ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
ENDPOINT_MAX = 63
#: Jobs API: job names are at most 4096 characters.
JOB_NAME_MAX = 4096
#: Unity Catalog identifiers (catalog, schema, table, model, volume): at most 255 characters;
#: no '.', ' ', '/', control characters. UC stores them in lower case.
UC_NAME_MAX = 255
#: One Unity Catalog name part, as a regular-expression fragment (full names join parts with '.').
UC_PART = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
UC_NAME = re.compile(rf"^{UC_PART}$")
#: A table as config may write it: 'table', 'schema.table' or 'catalog.schema.table'.
UC_TABLE_REFERENCE = re.compile(rf"^{UC_PART}(\.{UC_PART}){{0,2}}$")
#: Workspace paths (experiments, monitor assets): absolute, each part at most 255 characters.
PATH_PART_MAX = 255
#: Cluster policies: 1-100 characters.
POLICY_NAME_MAX = 100
#: Secret scopes (provider docs: secret_scope, 'Argument Reference'): letters, digits, '-', '_'
#: and '.', at most 128 characters.
SECRET_SCOPE_MAX = 128
SECRET_SCOPE_NAME = re.compile(rf"^[A-Za-z0-9_.\-]{{1,{SECRET_SCOPE_MAX}}}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


_ENDPOINT_DOC = provider_doc("model_serving", "Argument Reference")
_JOB_DOC = provider_doc("job", "Argument Reference")
_UC_DOC = databricks_doc("SQL language reference", "Names")
_PATH_DOC = provider_doc("directory", "Argument Reference")
_POLICY_DOC = provider_doc("cluster_policy", "Argument Reference")
_SCOPE_DOC = provider_doc("secret_scope", "Argument Reference")


def _one(message: str, doc: str) -> list[Finding]:
    return [Finding((), message, doc)]


def endpoint_name_problem(name: str) -> list[Finding]:
    if len(name) > ENDPOINT_MAX:
        return _one(f"endpoint name is {len(name)} characters, more than {ENDPOINT_MAX} "
                    "(shorten the project or endpoint key, or set name)", _ENDPOINT_DOC)
    if not ENDPOINT_NAME.match(name):
        return _one("endpoint names may only contain letters, digits, '-' and '_', starting with a letter or digit",
                    _ENDPOINT_DOC)
    return []


def job_name_problem(name: str) -> list[Finding]:
    if not name.strip():
        return _one("job name is empty", _JOB_DOC)
    if len(name) > JOB_NAME_MAX:
        return _one(f"job name is {len(name)} characters, more than {JOB_NAME_MAX}", _JOB_DOC)
    if _CONTROL.search(name):
        return _one("job name contains a control character", _JOB_DOC)
    return []


def uc_part_problem(name: str) -> list[Finding]:
    """One Unity Catalog name part as written (any case: it may name an existing object)."""
    if not name:
        return _one("Unity Catalog name is empty", _UC_DOC)
    if len(name) > UC_NAME_MAX:
        return _one(f"Unity Catalog name is {len(name)} characters, more than {UC_NAME_MAX}", _UC_DOC)
    if not UC_NAME.match(name):
        return _one("Unity Catalog names may only contain letters, digits, '_' and '-' (no '.', spaces or '/')",
                    _UC_DOC)
    return []


def uc_name_problem(name: str) -> list[Finding]:
    """A Unity Catalog identifier the platform names; names with upper case are refused: UC
    stores the lower-case form, so Terraform would show a change on every plan (a perpetual diff)."""
    if found := uc_part_problem(name):
        return found
    if name != name.lower():
        return _one(f"Unity Catalog stores names in lower case; write '{name.lower()}' "
                    "(otherwise every plan shows a change)", _UC_DOC)
    return []


def workspace_path_problem(path: str) -> list[Finding]:
    if not path.startswith("/"):
        return _one("must be an absolute workspace path", _PATH_DOC)
    parts = path.strip("/").split("/")
    if any(not p for p in parts) and path != "/":
        return _one("workspace path has an empty part ('//')", _PATH_DOC)
    long = [p for p in parts if len(p) > PATH_PART_MAX]
    if long:
        return _one(f"workspace path part is {len(long[0])} characters, more than {PATH_PART_MAX}", _PATH_DOC)
    if _CONTROL.search(path):
        return _one("workspace path contains a control character", _PATH_DOC)
    return []


def policy_name_problem(name: str) -> list[Finding]:
    if not 1 <= len(name) <= POLICY_NAME_MAX:
        return _one(f"cluster policy name must be 1-{POLICY_NAME_MAX} characters, got {len(name)}", _POLICY_DOC)
    return []


def uc_full_name_problem(name: str, parts: int = 3) -> list[Finding]:
    """A full Unity Catalog name of exactly ``parts`` parts: catalog.schema (2) or
    catalog.schema.object (3: table, model, volume, function)."""
    shape = ".".join(("catalog", "schema", "object")[:parts])
    split = name.split(".")
    if len(split) != parts or not all(UC_NAME.match(p) for p in split):
        return _one(f"{name!r} must be a full name {shape}", _UC_DOC)
    return []


def table_reference_problem(name: str) -> list[Finding]:
    """A table as config writes it: 1 to 3 Unity Catalog name parts."""
    if not UC_TABLE_REFERENCE.match(name):
        return _one(f"{name!r} is not a table name: use table, schema.table or catalog.schema.table", _UC_DOC)
    return []


def secret_scope_name_problem(name: str) -> list[Finding]:
    if not SECRET_SCOPE_NAME.match(name):
        return _one(f"secret scope name {name!r} must be 1-{SECRET_SCOPE_MAX} letters, digits, '-', '_' "
                    "or '.'", _SCOPE_DOC)
    return []


#: kind -> (rule, normalization under which two names are the same object).
RULES: dict[str, tuple[Callable[[str], list[Finding]], Callable[[str], str]]] = {
    "serving endpoint": (endpoint_name_problem, str.lower),
    "job": (job_name_problem, lambda n: n),
    "schema": (uc_name_problem, str.lower),
    "registered model": (uc_name_problem, str.lower),
    "volume": (uc_name_problem, str.lower),
    "monitor metrics table": (uc_name_problem, str.lower),
    "experiment": (workspace_path_problem, lambda n: n.rstrip("/")),
    "monitor assets folder": (workspace_path_problem, lambda n: n.rstrip("/")),
    "cluster policy": (policy_name_problem, lambda n: n),
}


def name_problem(kind: str, name: str) -> list[Finding]:
    """The rule for ``kind`` (a key of RULES) applied to ``name``."""
    return RULES[kind][0](name)


def normalized(kind: str, name: str) -> str:
    """The form under which two names of ``kind`` are the same Databricks object."""
    return RULES[kind][1](name)

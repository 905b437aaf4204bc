"""Look import ids up in a workspace with databricks-sdk, by the names the platform resolved.

``mlops import`` calls this only when credentials exist (``DATABRICKS_HOST`` or
``DATABRICKS_CONFIG_PROFILE``; the SDK's own unified authentication reads the rest) and
only for entries that have no id yet. Every lookup is a read: nothing is created or changed.

The name of each object comes from the synthesized stack (the same value Terraform would
create): a schema's ``catalog_name.name``, a job's ``name``. A reference to another resource
of the environment (``${databricks_catalog.platform_catalog_D2537C63.name}``) is followed; a
value only known after apply cannot be looked up (give the id instead).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlparse

from mlops_tools.importer import StackResource

CREDENTIAL_VARIABLES = ("DATABRICKS_HOST", "DATABRICKS_CONFIG_PROFILE")
HTTP_TIMEOUT_SECONDS = 30
RETRY_TIMEOUT_SECONDS = 60
_REFERENCE = re.compile(r"\$\{(databricks_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}")


class LookupError_(Exception):
    """A lookup that cannot be done or failed (its message is for the user)."""


def has_credentials(environ: dict[str, str] | os._Environ = os.environ) -> bool:
    """Whether the environment names a workspace to look ids up in."""
    return any(environ.get(name) for name in CREDENTIAL_VARIABLES)


def same_host(a: str, b: str) -> bool:
    return (urlparse(a if "//" in a else f"https://{a}").hostname or "").lower() == \
        (urlparse(b if "//" in b else f"https://{b}").hostname or "").lower()


def workspace_client() -> Any:
    """A WorkspaceClient from the SDK's unified authentication, with bounded timeouts."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    config = Config(http_timeout_seconds=HTTP_TIMEOUT_SECONDS, retry_timeout_seconds=RETRY_TIMEOUT_SECONDS,
                    product="mlops-import", product_version="1")
    return WorkspaceClient(config=config)


def client_host(client: Any) -> str:
    return str(getattr(getattr(client, "config", None), "host", "") or "")


# ----------------------------------------------------------------------------- names

def resolved_value(value: Any, resources: dict[str, StackResource]) -> str | None:
    """A literal string, or the literal a whole-string reference to another resource's
    attribute points at; None when the value is only known after apply."""
    for _ in range(5):  # a reference to a reference (bounded)
        if not isinstance(value, str):
            return None
        match = _REFERENCE.fullmatch(value)
        if match is None:
            return None if "${" in value else value
        target = resources.get(f"{match.group(1)}.{match.group(2)}")
        if target is None:
            return None
        value = target.attributes.get(match.group(3))
    return None


def _name(resource: StackResource, resources: dict[str, StackResource], *attrs: str) -> str:
    parts = []
    for attr in attrs:
        value = resolved_value(resource.attributes.get(attr), resources)
        if value is None:
            raise LookupError_(f"its {attr} is only known after apply: give the id (--id KEY=ID)")
        parts.append(value)
    return ".".join(parts)


# ----------------------------------------------------------------------------- lookups

@dataclass(frozen=True)
class Found:
    id: str | None
    """The import id, or None when the workspace has no such object."""
    name: str
    """The name it was looked up by."""


def _not_found(exc: Exception) -> bool:
    from databricks.sdk.errors import NotFound

    return isinstance(exc, NotFound)


def _get(call: Callable[[], Any], pick: Callable[[Any], Any]) -> str | None:
    try:
        value = pick(call())
    except Exception as exc:  # noqa: BLE001 - NotFound is "absent"; the caller reports the rest
        if _not_found(exc):
            return None
        raise
    return None if value is None else str(value)


def _only(kind: str, name: str, matches: list[Any], pick: Callable[[Any], Any]) -> str | None:
    if len(matches) > 1:
        raise LookupError_(f"{len(matches)} {kind}s are named {name!r}: give the id of the one to adopt "
                           "(--id KEY=ID)")
    return str(pick(matches[0])) if matches else None


def lookup(client: Any, resource: StackResource, resources: dict[str, StackResource]) -> Found:
    """Look one resource's object up by its resolved name; raise LookupError_ when it cannot be
    looked up (a name known only after apply, two objects of one name)."""
    rtype = resource.type
    if rtype == "databricks_catalog":
        name = _name(resource, resources, "name")
        return Found(_get(lambda: client.catalogs.get(name), lambda c: c.name), name)
    if rtype == "databricks_schema":
        name = _name(resource, resources, "catalog_name", "name")
        return Found(_get(lambda: client.schemas.get(name), lambda s: s.full_name), name)
    if rtype == "databricks_volume":
        name = _name(resource, resources, "catalog_name", "schema_name", "name")
        return Found(_get(lambda: client.volumes.read(name), lambda v: v.full_name), name)
    if rtype == "databricks_registered_model":
        name = _name(resource, resources, "catalog_name", "schema_name", "name")
        return Found(_get(lambda: client.registered_models.get(name), lambda m: m.full_name), name)
    if rtype == "databricks_model_serving":
        name = _name(resource, resources, "name")
        return Found(_get(lambda: client.serving_endpoints.get(name), lambda e: e.name), name)
    if rtype == "databricks_mlflow_experiment":
        name = _name(resource, resources, "name")
        return Found(_get(lambda: client.experiments.get_by_name(name),
                          lambda r: r.experiment.experiment_id if r.experiment else None), name)
    if rtype == "databricks_job":
        name = _name(resource, resources, "name")
        jobs = [j for j in client.jobs.list(name=name) if j.settings and j.settings.name == name]
        return Found(_only("job", name, jobs, lambda j: j.job_id), name)
    if rtype == "databricks_sql_endpoint":
        name = _name(resource, resources, "name")
        return Found(_only("SQL warehouse", name, [w for w in client.warehouses.list() if w.name == name],
                           lambda w: w.id), name)
    if rtype == "databricks_cluster_policy":
        name = _name(resource, resources, "name")
        return Found(_only("cluster policy", name,
                           [p for p in client.cluster_policies.list() if p.name == name],
                           lambda p: p.policy_id), name)
    raise LookupError_(f"{rtype} cannot be looked up")


def describe_error(exc: Exception) -> str:
    """One line for an SDK or connection error (its type and first line; never a header)."""
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__

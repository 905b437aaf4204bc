"""Import ids of the resource types ``mlops import`` adopts (pure data and functions, no jsii).

Each provider page's "Import" section (provider 1.99.0, ``resources/<page>.md``) says what
``id`` an ``import { to = ..., id = ... }`` block takes for that type. ``import_id_problem``
(a provider rule: findings whose doc is that "Import" section) checks an id against that format before Terraform ever sees it; ``id_attributes`` says which
attributes an id determines (a schema's ``catalog_name.name``), which the offline stand-in
provider uses to build the state of an imported object.

Name-like parts follow the same rules as the names the platform derives
(:mod:`databricks_spec.names`): one rule, not two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from databricks_spec.docs import provider_doc
from databricks_spec.names import ENDPOINT_NAME, UC_NAME, UC_NAME_MAX
from databricks_spec.rules import Finding


@dataclass(frozen=True)
class ImportIdFormat:
    """The import id of one resource type."""

    resource_type: str
    shape: str
    """The id as the provider page writes it, e.g. ``<catalog_name>.<name>``."""
    parts: tuple[str, ...]
    """The attributes the id's dot-separated parts set, in order (empty: an opaque id)."""
    pattern: re.Pattern[str] | None = None
    """An opaque id's pattern (None for a dotted name, checked part by part)."""
    example: str = ""
    page: str = ""

    @property
    def source(self) -> str:
        return provider_doc(self.page, "Import")


def _dotted(resource_type: str, page: str, parts: tuple[str, ...], example: str) -> ImportIdFormat:
    shape = ".".join(f"<{p}>" for p in parts)
    return ImportIdFormat(resource_type, shape, parts, None, example, page)


def _opaque(resource_type: str, page: str, shape: str, pattern: str, example: str) -> ImportIdFormat:
    return ImportIdFormat(resource_type, shape, (), re.compile(pattern), example, page)


#: Resource type -> its import id, for every type ``mlops import`` adopts. Sorted by type.
IMPORT_IDS: dict[str, ImportIdFormat] = {f.resource_type: f for f in (
    # catalog.md: "This resource can be imported by name"
    _dotted("databricks_catalog", "catalog", ("name",), "mlops_dev"),
    # cluster_policy.md: "imported using the policy id" (16 hexadecimal digits)
    _opaque("databricks_cluster_policy", "cluster_policy", "<cluster-policy-id>",
            r"[0-9A-Fa-f]{16}", "D96308F1BF0003A7"),  # pragma: allowlist secret (a documented example id)
    # job.md: "imported using the id of the job" (a number)
    _opaque("databricks_job", "job", "<job-id>", r"[1-9][0-9]{0,18}", "123456789012345"),
    # mlflow_experiment.md: "imported using the id of the experiment" (a number)
    _opaque("databricks_mlflow_experiment", "mlflow_experiment", "<experiment-id>", r"[0-9]{1,19}",
            "1234567890123456"),
    # model_serving.md: "imported using the name of the endpoint"
    _dotted("databricks_model_serving", "model_serving", ("name",), "dev-churn"),
    # registered_model.md: "the full (3-level) name of the model"
    _dotted("databricks_registered_model", "registered_model", ("catalog_name", "schema_name", "name"),
            "mlops_dev.churn_models.churn_model"),
    # schema.md: "imported by its full name"
    _dotted("databricks_schema", "schema", ("catalog_name", "name"), "mlops_dev.churn_features"),
    # sql_endpoint.md: "ID like ..." (a warehouse id: 16 hexadecimal digits)
    _opaque("databricks_sql_endpoint", "sql_endpoint", "<endpoint-id>", r"[0-9a-f]{16}", "d1184b8c2a8a87eb"),  # pragma: allowlist secret (a documented example id)
    # volume.md: "imported by full_name which is the 3-level Volume identifier"
    _dotted("databricks_volume", "volume", ("catalog_name", "schema_name", "name"),
            "mlops_dev.churn_features.raw_extracts"),
)}

IMPORTABLE_TYPES: tuple[str, ...] = tuple(sorted(IMPORT_IDS))

_MAX_ID = 1024  # longer than any valid id: refused before any pattern runs


def _part_reason(resource_type: str, part: str) -> str | None:
    """Why one dot-separated part of a dotted id is not a name (a phrase), or None."""
    if resource_type == "databricks_model_serving":
        return None if ENDPOINT_NAME.match(part) else "not an endpoint name (letters, digits, '-', '_')"
    if len(part) > UC_NAME_MAX:
        return f"a name part longer than {UC_NAME_MAX} characters"
    return None if UC_NAME.match(part) else f"{part[:40]!r} is not a Unity Catalog name"


def import_id_problem(resource_type: str, import_id: object) -> list[Finding]:
    """No findings when ``import_id`` has the format ``resource_type`` is imported by, else one
    (doc: the type's provider page, 'Import'; its message already names that source).

    A type ``mlops import`` does not adopt is a problem too (the message lists those it does;
    doc: docs/adopting.md, which lists what is adopted).
    """
    spec = IMPORT_IDS.get(resource_type)
    if spec is None:
        return [Finding((), f"{resource_type} is not a type mlops import adopts "
                            f"(it adopts: {', '.join(t.removeprefix('databricks_') for t in IMPORTABLE_TYPES)})",
                        "docs/adopting.md")]
    doc = spec.source
    if not isinstance(import_id, str) or not import_id:
        return [Finding((), f"the id must be a non-empty string: {spec.shape} (e.g. {spec.example})", doc)]
    shown = import_id[:60] + ("…" if len(import_id) > 60 else "")
    expected = f"{resource_type} is imported by {spec.shape} (e.g. {spec.example}; {spec.source})"
    if len(import_id) > _MAX_ID:
        return [Finding((), f"id {shown!r} is too long: {expected}", doc)]
    if spec.pattern is not None:
        return [] if spec.pattern.fullmatch(import_id) else [Finding((), f"id {shown!r} does not match: {expected}", doc)]
    parts = import_id.split(".")
    if len(parts) != len(spec.parts):
        return [Finding((), f"id {shown!r} has {len(parts)} dot-separated part(s), not {len(spec.parts)}: {expected}",
                        doc)]
    for part in parts:
        reason = _part_reason(resource_type, part)
        if reason:
            return [Finding((), f"id {shown!r}: {reason}: {expected}", doc)]
    return []


def id_attributes(resource_type: str, import_id: str) -> dict[str, str]:
    """The attributes a valid import id determines: ``{"catalog_name": "c", "name": "s"}`` for
    the schema ``c.s``; ``{}`` for an opaque id (a job's number) or an id of another format."""
    spec = IMPORT_IDS.get(resource_type)
    if spec is None or not spec.parts or import_id_problem(resource_type, import_id):
        return {}
    return dict(zip(spec.parts, import_id.split(".")))

"""Attributes whose change destroys and recreates a resource (pure data, no jsii).

The plan review (issue 7) imports this to flag risky diffs before a deploy:
recreating a registered model loses its versions, recreating a serving endpoint
drops traffic and its URL's history, recreating a schema drops its tables.

Paths are dotted attribute paths in the synthesized JSON with list indices
left out (``ai_gateway.inference_table_config.catalog_name`` matches the value
in ``{"ai_gateway": {"inference_table_config": {...}}}`` and in list-wrapped
blocks alike). ``replace`` means the provider plans a replacement; ``immutable``
means the service refuses the change after creation, so the only way to apply
it is to recreate the resource (a reviewer must treat both alike).

Sources: provider docs 1.99.0 (resources/<type>.md), quoted in ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal

Effect = Literal["replace", "immutable"]


@dataclass(frozen=True)
class Rule:
    attribute: str
    """Dotted path in the resource's JSON body (no list indices)."""
    effect: Effect
    source: str
    """Where the rule comes from."""
    first_set_ok: bool = False
    """Setting the attribute where it was unset is an in-place update (only changing
    or removing a set value recreates). Default: false."""


def _rules(effect: Effect, source: str, *attributes: str, first_set_ok: bool = False) -> tuple[Rule, ...]:
    return tuple(Rule(a, effect, source, first_set_ok) for a in attributes)


# The legacy config.auto_capture_config (same immutability) is not listed: the platform
# never emits it (inference tables go through the AI gateway), and listing nested paths
# under ``config`` would make adding ``config`` to a pending endpoint look like a
# replacement to tools that compare whole blocks.
_SERVING_TABLE = ("the service does not allow changing the inference table's catalog, schema or "
                  "prefix once set (model_serving.md, auto_capture_config: 'On update, you cannot "
                  "change ...'); the endpoint must be recreated")

# The 1.99.0 page of database_synced_database_table does not say which fields update in
# place; the Databricks synced-table docs require a new synced table to change its source,
# primary key or timeseries key (the Postgres table is rebuilt by a full sync), and the
# three-part name is its identity (imported by name). Treated as replacement: the safe
# reading (docs/features.md), so an offline plan and the review show the recreation.
_SYNCED_TABLE = ("database_synced_database_table.md: 'name' is the three-part identity (import by "
                 "name); changing the source table, primary_key_columns or timeseries_key needs a "
                 "new synced table and a full re-sync (safe reading, docs/features.md)")

#: Resource type -> rules. Keep sorted by resource type.
RULES: dict[str, tuple[Rule, ...]] = {
    "databricks_artifact_allowlist": _rules("replace", "artifact_allowlist.md", "artifact_type"),
    "databricks_catalog": (
        _rules("replace", "catalog.md: 'Change forces creation of a new resource'",
               "storage_root", "provider_name", "share_name", "connection_name")
        + _rules("immutable", "renaming a catalog changes every three-level name under it; "
                              "treat as recreation", "name")),
    "databricks_catalog_workspace_binding": _rules(
        "replace", "catalog_workspace_binding.md", "workspace_id", "securable_name", "securable_type"),
    "databricks_database_database_catalog": _rules(
        "replace", "database_database_catalog.md: the catalog is imported by 'name' and maps one "
                   "database of one instance; renaming or re-pointing it registers another catalog",
        "name", "database_instance_name", "database_name"),
    "databricks_database_instance": _rules(
        "replace", "database_instance.md: 'name ... This is the unique identifier for the instance' "
                   "(imported by name); a new name is a new instance without the old data",
        "name"),
    "databricks_database_synced_database_table": _rules("replace", _SYNCED_TABLE,
        "name", "database_instance_name", "logical_database_name", "spec.source_table_full_name",
        "spec.primary_key_columns", "spec.timeseries_key"),
    "databricks_external_location": _rules("replace", "external_location.md", "name"),
    # code delivery (docs/code-delivery.md): each object is identified by its path, so a new path is a new
    # object and the old one is deleted; a content change (content_base64, md5) is an in-place update
    "databricks_file": _rules("replace", "file.md: 'id - Same as path'", "path"),
    "databricks_mlflow_model": _rules("replace", "mlflow_model.md: 'Change of name triggers new resource'",
                                      "name"),
    "databricks_model_serving": (
        _rules("replace", "model_serving.md: 'Changing this name will delete the existing endpoint "
                          "and create a new endpoint'", "name")
        + _rules("replace", "provider source (serving/resource_model_serving.go): route_optimized is "
                            "ForceNew, 'route_optimized cannot be updated'", "route_optimized")
        + _rules("immutable", _SERVING_TABLE,
                 "ai_gateway.inference_table_config.catalog_name",
                 "ai_gateway.inference_table_config.schema_name",
                 "ai_gateway.inference_table_config.table_name_prefix", first_set_ok=True)),
    "databricks_model_serving_provisioned_throughput": _rules(
        "replace", "model_serving_provisioned_throughput.md", "name"),
    "databricks_notebook": _rules("replace", "notebook.md: 'Notebooks are identified by their path'", "path"),
    "databricks_online_table": _rules("replace", "online_table.md: 'If any parameter changes, online "
                                                 "table is recreated'", "name", "spec"),
    "databricks_permission_assignment": _rules(
        "replace", "permission_assignment.md", "principal_id", "user_name", "group_name",
        "service_principal_name"),
    # Switching between `storage` (Hive metastore) and `catalog` (Unity Catalog) recreates the
    # pipeline; the switch always sets or removes `storage`, so the `storage` rule catches both
    # directions, while changing a set `catalog` is an in-place update (pipeline.md, `catalog`).
    "databricks_pipeline": (
        _rules("replace", "pipeline.md: storage: 'Change of this parameter forces recreation of the "
                          "pipeline'; catalog: 'forces recreation of the pipeline if you switch from "
                          "`storage` to `catalog` or vice versa'", "storage")
        + _rules("immutable", "pipeline.md: gateway_definition and ingestion_definition fields marked "
                              "'Immutable'; the pipeline must be recreated",
                 "gateway_definition.connection_id", "gateway_definition.gateway_storage_catalog",
                 "gateway_definition.gateway_storage_schema", "ingestion_definition.connection_name",
                 "ingestion_definition.ingestion_gateway_id")),
    "databricks_quality_monitor": (
        _rules("replace", "quality_monitor.md: the monitor's id is the table's full name",
               "table_name")
        + _rules("immutable", "quality_monitor.md: \"Can't be updated after creation\"",
                 "warehouse_id", "skip_builtin_dashboard")),
    "databricks_recipient": _rules("replace", "recipient.md", "name"),
    "databricks_registered_model": _rules(
        "replace", "registered_model.md: 'Change of this parameter forces recreation of the resource' "
                   "(all model versions are lost)", "name", "catalog_name", "schema_name",
        "storage_location"),
    "databricks_repo": _rules("replace", "repo.md: url and path: 'If the value changes, Git folder is "
                                         "re-created'", "url", "path"),
    "databricks_schema": _rules("replace", "schema.md: 'Change forces creation of a new resource'",
                                "name", "catalog_name", "storage_root"),
    "databricks_secret_scope": _rules(
        "replace", "provider source (secrets/resource_secret_scope.go): name, initial_manage_principal "
                   "and keyvault_metadata are tf:\"force_new\" and the resource has no Update "
                   "(secret_scope.md documents no in-place change); a new scope starts empty",
        "name", "initial_manage_principal", "keyvault_metadata"),
    "databricks_share": _rules("replace", "share.md", "name"),
    "databricks_sql_table": _rules(
        "replace", "sql_table.md: 'Change forces the creation of a new resource'",
        "name", "catalog_name", "schema_name", "table_type", "data_source_format", "partitions",
        "storage_credential_name", "options"),
    "databricks_storage_credential": _rules("replace", "storage_credential.md", "name"),
    "databricks_vector_search_endpoint": _rules("replace", "vector_search_endpoint.md", "name"),
    "databricks_volume": _rules("replace", "volume.md: 'Change forces creation of a new resource'",
                                "catalog_name", "schema_name", "volume_type", "storage_location"),
    "databricks_workspace_file": _rules("replace", "workspace_file.md: 'Workspace files are identified by "
                                                   "their path'", "path"),
}

def _values(body: Any, parts: list[str]) -> Iterator[Any]:
    """Every value at ``parts`` under body, descending through lists."""
    if isinstance(body, list):
        for item in body:
            yield from _values(item, parts)
        return
    if not parts:
        yield body
        return
    if isinstance(body, dict) and parts[0] in body:
        yield from _values(body[parts[0]], parts[1:])


def value_at(body: Any, attribute: str) -> list[Any]:
    """The values of a dotted attribute in a resource body (empty when unset)."""
    return list(_values(body, attribute.split(".")))


def forcing_changes(resource_type: str, before: dict, after: dict) -> list[Rule]:
    """Rules whose attribute differs between two bodies of the same resource.

    Unset and ``false``/``null`` compare equal (cdktf omits false booleans).
    Rules with ``first_set_ok`` ignore an attribute that was unset before.
    """
    changed = []
    for rule in RULES.get(resource_type, ()):
        old = [v for v in value_at(before, rule.attribute) if v not in (None, False)]
        new = [v for v in value_at(after, rule.attribute) if v not in (None, False)]
        if old != new and (old or not rule.first_set_ok):
            changed.append(rule)
    return changed

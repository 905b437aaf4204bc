"""What the plan review treats as risky, per Databricks resource type (pure data).

Three families of risk, each with the reason shown to reviewers:

* ``STATEFUL``: deleting or replacing the object loses data or history that
  Terraform cannot bring back. A delete or replace of one of these blocks the
  review (exit code 3) unless explicitly allowed.
* ``DOWNTIME``: replacing or deleting the object interrupts a running service.
* ``ACCESS_CONTROL``: any change alters who can do what: security review.

``forcing_attributes(type)`` says which attributes force a replacement. It
reads ``mlops_constructs.replacement_rules`` when that module exists and
falls back to the small table below, taken from the provider 1.99.0 docs
("Change forces creation of a new resource"). It is used to explain a
replacement and to predict one that a plan shows as an in-place update
(the offline stub provider cannot know which attributes force replacement).
"""

from __future__ import annotations

from typing import Any

STATEFUL: dict[str, str] = {
    "databricks_catalog": "drops the catalog; with force_destroy every schema, table, volume and model in it",
    "databricks_schema": "drops the schema; with force_destroy every table, volume and model in it",
    "databricks_volume": "drops the volume; files of a MANAGED volume are deleted",
    "databricks_registered_model": "drops the registered model with all its versions and aliases",
    "databricks_sql_table": "drops the table; data of a MANAGED table is deleted",
    "databricks_table": "drops the table; data of a MANAGED table is deleted",
    "databricks_mlflow_experiment": "deletes the experiment with its runs, metrics and artifacts",
    "databricks_mlflow_model": "deletes the workspace model with all its versions",
    "databricks_metastore": "deletes the Unity Catalog metastore",
    "databricks_secret_scope": "deletes the scope and every secret in it",
    "databricks_secret": "deletes the secret value",
    "databricks_pipeline": "deletes the pipeline; its materialized views and streaming tables are dropped",
    "databricks_quality_monitor": "deletes the monitor; its profile and drift history stop being maintained",
    "databricks_lakehouse_monitor": "deletes the monitor; its profile and drift history stop being maintained",
    "databricks_online_table": "drops the online table; serving lookups fail until it is rebuilt",
    "databricks_vector_search_index": "drops the index; queries fail until it is rebuilt and re-synced",
    "databricks_database_instance": "deletes the database instance and its data",
}
"""Types whose delete or replace loses data (blocking unless allowed) and why."""

DOWNTIME: dict[str, str] = {
    "databricks_model_serving": "the endpoint is deleted before it is recreated: requests fail meanwhile "
                                "and its history (inference tables, usage) restarts",
    "databricks_vector_search_endpoint": "the endpoint and its indexes are unavailable until recreated",
    "databricks_sql_endpoint": "the SQL warehouse is unavailable until recreated; its id changes",
    "databricks_app": "the app is unavailable until recreated",
    "databricks_cluster": "running workloads on the cluster are terminated; its id changes",
}
"""Types whose replace or delete interrupts a service, and how."""

ACCESS_CONTROL: dict[str, str] = {
    "databricks_grants": "Unity Catalog privileges (authoritative for the securable)",
    "databricks_grant": "Unity Catalog privileges of one principal",
    "databricks_permissions": "workspace object permissions (authoritative for the object)",
    "databricks_secret_acl": "secret scope ACL",
    "databricks_access_control_rule_set": "account-level access rules",
    "databricks_permission_assignment": "workspace permission assignment",
    "databricks_mws_permission_assignment": "workspace permission assignment",
    "databricks_group_member": "group membership",
    "databricks_group_role": "group role",
    "databricks_user_role": "user role",
    "databricks_service_principal_role": "service principal role",
    "databricks_entitlements": "entitlements",
    "databricks_sql_permissions": "legacy table ACLs",
    "databricks_ip_access_list": "IP access list",
    "databricks_obo_token": "on-behalf-of token",
    "databricks_token": "personal access token",
    "databricks_service_principal_secret": "service principal OAuth secret",
}
"""Types whose every change needs a security review, and what they control."""

_FALLBACK_FORCES_REPLACEMENT: dict[str, tuple[str, ...]] = {
    "databricks_catalog": ("provider_name", "share_name", "connection_name"),
    "databricks_schema": ("name", "catalog_name"),
    "databricks_volume": ("catalog_name", "schema_name", "volume_type", "storage_location"),
    "databricks_registered_model": ("name", "catalog_name", "schema_name", "storage_location"),
    "databricks_sql_table": ("name", "catalog_name", "schema_name", "table_type", "data_source_format",
                             "partitions", "storage_credential_name", "options"),
    "databricks_model_serving": ("name",),
    "databricks_mlflow_model": ("name",),
    "databricks_pipeline": ("storage",),
}
"""Used only when mlops_constructs.replacement_rules is not importable (provider docs 1.99.0)."""


def _rules_module() -> Any:
    try:
        from mlops_constructs import replacement_rules
    except ImportError:  # pragma: no cover - the module ships with the constructs
        return None
    return replacement_rules


def _prune(value: Any) -> Any:
    """Drop nulls and empty containers (plan JSON spells unset attributes as null)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def forcing_attributes(type_name: str) -> tuple[str, ...]:
    """Attribute paths of ``type_name`` whose change forces replacement."""
    module = _rules_module()
    if module is not None:
        return tuple(getattr(module, "FORCES_REPLACEMENT", {}).get(type_name, ()))
    return _FALLBACK_FORCES_REPLACEMENT.get(type_name, ())


def predicted_replacement(type_name: str, before: Any, after: Any) -> list[tuple[str, str]]:
    """(attribute, source) pairs whose change between two bodies forces replacement.

    Catches what a plan shows as an in-place update although the real provider
    would replace the object (the offline stub provider cannot know).
    """
    before = _prune(before) if isinstance(before, dict) else {}
    after = _prune(after) if isinstance(after, dict) else {}
    module = _rules_module()
    if module is not None and hasattr(module, "forcing_changes"):
        return [(r.attribute, r.source) for r in module.forcing_changes(type_name, before, after)]
    return [(a, f"{type_name.removeprefix('databricks_')}.md") for a in forcing_attributes(type_name)
            if a in before and before.get(a) != after.get(a)]


def explain(type_name: str, attribute: str) -> str:
    """Why changing ``attribute`` (e.g. ``name`` or ``config[0].name``) replaces the object, or ''."""
    module = _rules_module()
    plain = ".".join(part.split("[", 1)[0] for part in attribute.split("."))
    for rule in getattr(module, "RULES", {}).get(type_name, ()) if module is not None else ():
        if rule.attribute in (plain, plain.split(".", 1)[0]):
            return rule.source
    return ""

"""What the plan review treats as risky, per Databricks resource type (pure data).

Three families of risk, each with the reason shown to reviewers:

* ``STATEFUL``: deleting or replacing the object loses data or history that
  Terraform cannot bring back. A delete or replace of one of these blocks the
  review (exit code 3) unless explicitly allowed.
* ``DOWNTIME``: replacing or deleting the object interrupts a running service.
* ``ACCESS_CONTROL``: any change alters who can do what: security review.
* identity (``RUN_AS_TYPES``, ``OWNER_ATTRIBUTE``, ``PRINCIPAL_TYPES`` with
  ``ENTITLEMENTS``, ``MEMBERSHIP``): who a job or pipeline runs as, who owns a
  securable, what a principal is entitled to, who is in a group.
* ``CAPACITY``: a capacity change alters compute cost: listed with its direction
  (not blocking).

Replacements come from ``databricks_spec.replacement_rules`` (provider docs
1.99.0). Rules with effect ``replace`` are what the provider plans as
delete/create (the offline provider plans them too, with Terraform's
``replace_paths``); ``explain`` names the rule's source next to them. Rules
with effect ``immutable`` are attributes the provider updates in place but the
service refuses to change after creation: ``predicted_replacement`` finds them
in a planned in-place update, so the review shows the recreation the apply
would need.
"""

from __future__ import annotations

from typing import Any

from databricks_spec.online import CAPACITIES
from databricks_spec.replacement_rules import RULES, forcing_changes

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
    "databricks_secret_scope": "the scope is deleted and its secrets are lost (a recreated scope starts "
                               "empty: put every secret again)",
    "databricks_secret": "deletes the secret value",
    "databricks_pipeline": "deletes the pipeline; its materialized views and streaming tables are dropped",
    "databricks_quality_monitor": "deletes the monitor; its profile and drift history stop being maintained",
    "databricks_lakehouse_monitor": "deletes the monitor; its profile and drift history stop being maintained",
    "databricks_online_table": "drops the online table; serving lookups fail until it is rebuilt",
    "databricks_vector_search_index": "drops the index; queries fail until it is rebuilt and re-synced",
    "databricks_database_instance": "deletes the database instance (online store) and its data; "
                                    "synced tables in it go offline and feature lookups fail",
    "databricks_database_database_catalog": "unregisters the online store's database catalog; its synced "
                                            "tables are no longer reachable through Unity Catalog",
    "databricks_database_synced_database_table": "drops the online copy of a feature table: online data is "
                                                 "lost, feature lookups fail until a full re-sync completes",
    "databricks_online_store": "deletes the online store and its data; feature serving breaks",
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
    "databricks_group_role": "group role",
    "databricks_user_role": "user role",
    "databricks_service_principal_role": "service principal role",
    "databricks_sql_permissions": "legacy table ACLs",
    "databricks_ip_access_list": "IP access list",
    "databricks_obo_token": "on-behalf-of token",
    "databricks_token": "personal access token",
    "databricks_service_principal_secret": "service principal OAuth secret",
}
"""Types whose every change needs a security review, and what they control."""

RUN_AS_TYPES: dict[str, str] = {"databricks_job": "job", "databricks_pipeline": "pipeline"}
"""Types whose ``run_as`` block decides whose identity (and privileges) their runs use."""

OWNER_ATTRIBUTE = "owner"
"""Securables (catalog, schema, volume, registered model, external location, ...) carry their
owning principal here; the owner holds every privilege and can grant them to others."""

PRINCIPAL_TYPES: dict[str, str] = {"databricks_service_principal": "service principal",
                                   "databricks_group": "group", "databricks_user": "user"}
"""Principals whose entitlement attributes the review reads."""

ENTITLEMENTS: tuple[str, ...] = ("allow_cluster_create", "allow_instance_pool_create", "databricks_sql_access",
                                 "workspace_access", "workspace_consume")
"""Workspace entitlements on users, groups and service principals (service_principal.md, group.md)."""

MEMBERSHIP = "databricks_group_member"
"""A principal's membership of a group: it inherits the group's grants and entitlements."""

def _prune(value: Any) -> Any:
    """Drop nulls and empty containers (plan JSON spells unset attributes as null)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def predicted_replacement(type_name: str, before: Any, after: Any) -> list[tuple[str, str]]:
    """(attribute, source) pairs of ``immutable`` rules whose value differs between two bodies.

    Terraform plans such a change as an in-place update that the service
    refuses; the only way to apply it is to recreate the object.
    """
    before = _prune(before) if isinstance(before, dict) else {}
    after = _prune(after) if isinstance(after, dict) else {}
    return [(r.attribute, r.source) for r in forcing_changes(type_name, before, after) if r.effect == "immutable"]


def explain(type_name: str, attribute: str) -> str:
    """Why changing ``attribute`` (e.g. ``name`` or ``config[0].name``) replaces the object, or ''."""
    plain = ".".join(part.split("[", 1)[0] for part in attribute.split("."))
    for rule in RULES.get(type_name, ()):
        if rule.attribute in (plain, plain.split(".", 1)[0]):
            return rule.source
    return ""


CAPACITY: dict[str, tuple[str, tuple[str, ...]]] = {
    "databricks_database_instance": ("capacity", CAPACITIES),
    "databricks_online_store": ("capacity", CAPACITIES),
}
"""Types whose capacity changes are listed in the review with their cost direction: the
attribute and its values, smallest first (databricks_spec.online.CAPACITIES)."""


def capacity_change(type_name: str, before: Any, after: Any) -> tuple[str, Any, Any, str] | None:
    """(attribute, old, new, 'cost up' / 'cost down' / 'cost direction unknown') for a capacity
    change, else None. A create or delete has no direction (the resource itself appears or goes).
    ``old`` and ``new`` come from the plan as they are: the caller quotes them."""
    if type_name not in CAPACITY or not isinstance(before, dict) or not isinstance(after, dict):
        return None
    attribute, order = CAPACITY[type_name]
    old, new = before.get(attribute), after.get(attribute)
    if old == new or old is None or new is None:
        return None
    if old in order and new in order:
        direction = "cost up" if order.index(new) > order.index(old) else "cost down"
    else:
        direction = "cost direction unknown"
    return attribute, old, new, direction


# --------------------------------------------------------------------------- observability

#: Permission resources on observability objects: the databricks_permissions argument -> object
#: kind named in the security line (every databricks_permissions change is already 🔐).
PERMISSION_OBJECTS: dict[str, str] = {
    "sql_endpoint_id": "SQL warehouse", "dashboard_id": "dashboard", "sql_alert_id": "SQL alert",
    "sql_query_id": "SQL query",
}

_RAISING = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL")
_LOWERING = ("LESS_THAN", "LESS_THAN_OR_EQUAL")


def _first(value: Any, *path: str) -> Any:
    """Follow single-item blocks (plan JSON spells a block as a list of one object)."""
    for key in path:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value[0] if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict) else value


def _condition(values: Any) -> tuple[Any, Any]:
    return _first(values, "condition", "op"), _first(values, "condition", "threshold", "value", "double_value")


def _subscriptions(values: Any) -> set[str]:
    out = set()
    for task in (values or {}).get("task") or [] if isinstance(values, dict) else []:
        alert = _first(task, "sql_task", "alert")
        for sub in (alert or {}).get("subscriptions") or [] if isinstance(alert, dict) else []:
            who = sub.get("destination_id") or sub.get("user_name")
            if who:
                out.add(str(who))
    return out


def alert_weakened(type_name: str, action: str, before: Any, after: Any) -> str | None:
    """Why a change makes an alert fire less (removed, threshold raised past the condition,
    condition changed, schedule paused, targets removed), or None. Pure: plan bodies in."""
    if type_name == "databricks_alert":
        if action == "delete":
            return "the alert is removed: nobody is notified when its condition holds"
        if action not in ("update", "replace"):
            return None
        (op_b, th_b), (op_a, th_a) = _condition(before), _condition(after)
        if op_b != op_a and op_b is not None:
            return f"its condition changes from {op_b} to {op_a}"
        if isinstance(th_b, (int, float)) and isinstance(th_a, (int, float)) and th_b != th_a:
            if (op_a in _RAISING and th_a > th_b) or (op_a in _LOWERING and th_a < th_b):
                return f"its threshold moves from {th_b:g} to {th_a:g}: it fires later ({op_a})"
        return None
    is_alert_job = type_name == "databricks_job" and any(
        _first(v, "task", "sql_task", "alert") is not None for v in (before, after))
    if is_alert_job:
        if action == "delete":
            return "the alert's schedule job is removed: the alert is no longer evaluated"
        if action not in ("update", "replace"):
            return None
        paused_b, paused_a = _first(before, "schedule", "pause_status"), _first(after, "schedule", "pause_status")
        if paused_a == "PAUSED" and paused_b != "PAUSED":
            return "the alert's schedule is paused: the alert is no longer evaluated"
        removed = _subscriptions(before) - _subscriptions(after)
        if removed:
            return f"{len(removed)} notification target(s) removed from the alert"
    return None


def permission_object(before: Any, after: Any) -> str:
    """' on a SQL warehouse' (dashboard, SQL alert, SQL query) for a databricks_permissions body, else ''."""
    for values in (after, before):
        if isinstance(values, dict):
            for attribute, kind in PERMISSION_OBJECTS.items():
                if values.get(attribute):
                    return f" on a {kind}"
    return ""


def destination_change(type_name: str, action: str, before: Any, after: Any) -> str | None:
    """A line for every notification destination created, changed or removed (never its
    config: secrets are in the plan JSON in clear text), or None."""
    if type_name != "databricks_notification_destination" or action in ("no-op", "read"):
        return None
    values = after if action != "delete" else before
    name = values.get("display_name") if isinstance(values, dict) else None
    config = values.get("config") if isinstance(values, dict) else None
    block = config[0] if isinstance(config, list) and config else config
    kind = next((k for k, v in (block or {}).items() if v), "?") if isinstance(block, dict) else "?"
    verb = {"create": "added", "delete": "removed", "replace": "replaced", "update": "changed"}.get(action, action)
    return f"notification destination '{name or '?'}' ({kind}) {verb}"

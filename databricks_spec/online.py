"""Lakebase online-store and synced-table facts of provider 1.99.0, as small pure rules.

Each rule is a pure function returning findings (``databricks_spec.rules.Finding``: none when
compliant), each citing its doc page, like the rules of ``databricks_spec.rules``. A finding's
key is ``()``: each rule judges one setting, and the caller places it (config through
``platform_config.rule_adapter``, which attaches file:line; constructs through
``mlops_constructs.rule_adapter``, skipping unresolved tokens). Nothing here imports our
packages outside the spec.

Sources (provider docs 1.99.0, resources/):

* database_instance.md: ``capacity`` "Valid values are "CU_1", "CU_2", "CU_4", "CU_8""
  (the page's "Sizing" list shows only 1, 2 and 4 CU, but its own examples use CU_8; the
  argument reference is the enumeration the API validates, so all four are accepted and
  docs/features.md notes the discrepancy); ``retention_window_in_days`` "Valid values are
  2 to 35 days" (default 7); ``node_count`` "1 primary and 0 or more secondaries"; a
  workspace holds at most 10 instances.
* database_synced_database_table.md: ``scheduling_policy`` "Possible values are:
  CONTINUOUS, SNAPSHOT, TRIGGERED"; ``name`` "Full three-part (catalog, schema, table)".
* permissions.md, "Lakebase Database Instances usage": CAN_USE, CAN_MANAGE.
* model_serving.md, served_entities ``entity_name``: "a function of type FEATURE_SPEC in
  the UC ... the full name of the object should be given in the form of
  catalog_name.schema_name.model_name".
"""

from __future__ import annotations

import re

from databricks_spec.docs import provider_doc
from databricks_spec.rules import Finding

#: Release stage per resource type (provider docs badge); docs/features.md repeats it.
RELEASE_STAGES: dict[str, str] = {
    "databricks_database_instance": "Public Preview",
    "databricks_database_database_catalog": "Private Preview",
    "databricks_database_synced_database_table": "Private Preview",
    "databricks_online_store": "Private Preview",
}

#: database_instance ``capacity``, smallest first (the order gives a change's cost direction).
CAPACITIES: tuple[str, ...] = ("CU_1", "CU_2", "CU_4", "CU_8")

#: database_synced_database_table ``spec.scheduling_policy``.
SCHEDULING_POLICIES: tuple[str, ...] = ("SNAPSHOT", "TRIGGERED", "CONTINUOUS")

#: ``retention_window_in_days`` bounds (inclusive).
RETENTION_DAYS: tuple[int, int] = (2, 35)

#: Database instances per workspace.
MAX_INSTANCES_PER_WORKSPACE = 10

#: databricks_permissions levels on a database instance, lowest first.
INSTANCE_LEVELS: tuple[str, ...] = ("CAN_USE", "CAN_MANAGE")

#: Lakebase instance names: letters, digits and hyphens, 1-63 characters, starting with a letter
#: (Postgres host label). The provider page does not state the rule; this is the safe subset.
_INSTANCE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


def capacity(value: str) -> list[Finding]:
    """``capacity`` must be one of :data:`CAPACITIES`."""
    if value in CAPACITIES:
        return []
    return [Finding((), f"capacity {value!r} is not a documented value; valid: {', '.join(CAPACITIES)}",
                    provider_doc("database_instance", "capacity"))]


def capacity_direction(old: str | None, new: str | None) -> str:
    """'up' (costs more), 'down' (costs less) or 'unchanged' for a capacity change; unknown
    values compare as unchanged."""
    if old not in CAPACITIES or new not in CAPACITIES or old == new:
        return "unchanged"
    return "up" if CAPACITIES.index(new) > CAPACITIES.index(old) else "down"


def retention_window(days: int) -> list[Finding]:
    lo, hi = RETENTION_DAYS
    if lo <= days <= hi:
        return []
    return [Finding((), f"retention window {days} days is outside {lo} to {hi}",
                    provider_doc("database_instance", "retention_window_in_days"))]


def node_count(count: int, readable_secondaries: bool) -> list[Finding]:
    """At least one node (the primary); readable secondaries need a secondary node."""
    if count < 1:
        return [Finding((), "node_count counts the primary: at least 1", provider_doc("database_instance", "node_count"))]
    if readable_secondaries and count < 2:
        return [Finding((), "readable secondaries need at least one secondary: node_count >= 2",
                        provider_doc("database_instance", "Example with Readable Secondaries"))]
    return []


def scheduling_policy(value: str) -> list[Finding]:
    if value in SCHEDULING_POLICIES:
        return []
    return [Finding((), f"scheduling policy {value!r} is not valid; valid: {', '.join(SCHEDULING_POLICIES)}",
                    provider_doc("database_synced_database_table", "scheduling_policy"))]


def instance_name(name: str) -> list[Finding]:
    if _INSTANCE_NAME.match(name):
        return []
    return [Finding((), f"database instance name {name!r} must be lower-case letters, digits and '-', "
                        "starting with a letter, at most 63 characters")]


def three_part_name(name: str, what: str = "feature spec") -> list[Finding]:
    """A Unity Catalog object named catalog.schema.object (no empty part)."""
    parts = name.split(".")
    if len(parts) == 3 and all(parts):
        return []
    return [Finding((), f"{what} {name!r} must be a full three-part name catalog.schema.function",
                    "provider docs: model_serving, served_entities 'entity_name'")]

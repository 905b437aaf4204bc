"""Shapes of Unity Catalog names, checked by every construct that takes a full name.

The rule is databricks_spec.names.uc_full_name_problem (the same parts config checks with
``platform_config.base.UcName``); this module only makes it token-aware: a name holding a
Terraform reference (an unresolved token, recognised in Python without a jsii round trip) is
left to plan time.
"""

from __future__ import annotations

from databricks_spec.names import uc_full_name_problem
from databricks_spec.rules import unresolved


def is_full_name(name: str) -> bool:
    """catalog.schema.object (table, model, volume), or a Terraform reference."""
    return unresolved(name) or not uc_full_name_problem(name, 3)


def is_schema_full_name(name: str) -> bool:
    """catalog.schema, or a Terraform reference."""
    return unresolved(name) or not uc_full_name_problem(name, 2)

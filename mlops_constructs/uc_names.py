"""Shapes of Unity Catalog names, checked by every construct that takes a full name.

A name holding a Terraform reference (an unresolved token, recognised in Python without a
jsii round trip) is left to plan time.
"""

from __future__ import annotations

import re

from databricks_spec.rules import unresolved

_PART = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
_FULL = re.compile(rf"^{_PART}\.{_PART}\.{_PART}$")
_SCHEMA = re.compile(rf"^{_PART}\.{_PART}$")


def is_full_name(name: str) -> bool:
    """catalog.schema.object (table, model, volume), or a Terraform reference."""
    return unresolved(name) or bool(_FULL.match(name))


def is_schema_full_name(name: str) -> bool:
    """catalog.schema, or a Terraform reference."""
    return unresolved(name) or bool(_SCHEMA.match(name))

"""Which cloud a Databricks node type id belongs to (a small pattern table).

Used for a warning, not an error: new instance families appear often, so an id that
matches no cloud's pattern is accepted silently; only an id that clearly belongs to
another cloud is reported.
"""

from __future__ import annotations

import re

#: cloud -> pattern of its node type ids (Databricks "Supported instance types" per cloud).
NODE_TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    "azure": re.compile(r"^Standard_[A-Za-z0-9_]+$"),                     # Standard_D4ds_v5
    "aws": re.compile(r"^[a-z][a-z0-9-]*\.(metal|nano|micro|small|medium|large|\d*xlarge)(-[a-z0-9]+)?$"),
    "gcp": re.compile(r"^[a-z][a-z0-9]*-[a-z]+(gpu)?-\d+[a-z]?(-lssd)?$|^[a-z][a-z0-9]*-custom-\d+-\d+$"),
}


def node_type_cloud(node_type: str) -> str | None:
    """The cloud whose pattern ``node_type`` matches, or None."""
    return next((cloud for cloud, pattern in NODE_TYPE_PATTERNS.items() if pattern.match(node_type)), None)


def node_type_mismatch(node_type: str, cloud: str) -> str | None:
    """A sentence when ``node_type`` looks like another cloud's, else None."""
    other = node_type_cloud(node_type)
    if other is None or other == cloud:
        return None
    return f"node type '{node_type}' looks like an {other.upper()} instance type, but this environment runs on {cloud}"

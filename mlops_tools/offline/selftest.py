"""Whole-provider self-test: one Terraform JSON config using every resource and data source type.

Each type gets one instance with placeholder values for its required
arguments (strings ``"x"``, numbers ``1``, bools ``true``, one-element
collections, required nested blocks filled recursively), which is what the
rebuilt schema must accept for ``terraform validate`` and ``plan`` to pass.
"""

from __future__ import annotations

from typing import Any

from mlops_tools.offline.provider_schema import JsonDict, provider_schemas

_PRIMITIVES: dict[str, Any] = {"string": "x", "number": 1, "bool": True, "dynamic": "x"}


def value_for_type(type_: Any) -> Any:
    """A placeholder value conforming to cty type ``type_``."""
    if isinstance(type_, str):
        return _PRIMITIVES[type_]
    kind, inner = type_
    if kind in ("list", "set"):
        return [value_for_type(inner)]
    if kind == "map":
        return {"k": value_for_type(inner)}
    if kind == "object":
        return {name: value_for_type(t) for name, t in inner.items()}
    raise ValueError(f"unsupported cty type {type_!r}")


def _required_attributes(attributes: JsonDict) -> JsonDict:
    values: JsonDict = {}
    for name, attr in attributes.items():
        if not attr.get("required"):
            continue
        if "nested_type" in attr:
            nested = attr["nested_type"]
            item = _required_attributes(nested["attributes"])
            values[name] = item if nested["nesting_mode"] == "single" else [item]
        else:
            values[name] = value_for_type(attr["type"])
    return values


def required_body(block: JsonDict) -> JsonDict:
    """Minimal body for a schema block: required attributes and required nested blocks."""
    body = _required_attributes(block.get("attributes", {}))
    for name, nested in block.get("block_types", {}).items():
        if nested.get("min_items", 0) >= 1:
            item = required_body(nested["block"])
            body[name] = item if nested["nesting_mode"] == "single" else [item]
    return body


def selftest_config(schema: JsonDict) -> JsonDict:
    """Terraform JSON with one placeholder instance of every resource and data source type."""
    schemas = provider_schemas(schema)
    return {
        "terraform": {
            "required_providers": {
                "databricks": {"source": "databricks/databricks", "version": schema["provider_version"]}
            }
        },
        "provider": {"databricks": [{}]},
        "resource": {name: {"t": required_body(s["block"])} for name, s in schemas["resource_schemas"].items()},
        "data": {name: {"t": required_body(s["block"])} for name, s in schemas["data_source_schemas"].items()},
    }

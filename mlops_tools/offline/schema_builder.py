"""Turn parsed provider bindings into a schema in the shape of ``terraform providers schema -json``.

Input: :class:`mlops_tools.offline.bindings_reader.Bindings`. Known losses compared
with the real provider schema: optional+computed flags (only ``id`` and the
generator's annotated complex fields are marked), the ``sensitive``/``deprecated``
flags, exact ``max_items`` above 1 and all checks the real provider performs
internally. A rebuild that finds fewer resource types or data sources than a sane
minimum, or a resource without attributes, raises :class:`SchemaBuildError`
(:func:`check_schema`) instead of serving a schema that would let everything (or
nothing) through.
"""

from __future__ import annotations

import re
from typing import Any

from mlops_tools.offline.bindings_reader import (
    Bindings,
    ComplexField,
    FieldSpec,
    JsClass,
    JsonDict,
    SchemaBuildError,
    parse_fields,
)

PROVIDER_ADDRESS = "registry.terraform.io/databricks/databricks"
#: A rebuild finding fewer than this is broken, not a small provider (1.99.0 has 136/112).
MIN_RESOURCE_TYPES = 100
MIN_DATA_SOURCES = 50

_SIMPLE_TYPES: dict[str, Any] = {
    "string": "string",
    "number": "number",
    "boolean": "bool",
    "stringList": ["list", "string"],
    "numberList": ["list", "number"],
    "booleanList": ["list", "bool"],
    "stringMap": ["map", "string"],
    "numberMap": ["map", "number"],
    "booleanMap": ["map", "bool"],
}
_GETTER_TYPES: dict[str, Any] = {
    "getStringAttribute": "string",
    "getNumberAttribute": "number",
    "getBooleanAttribute": "bool",
    "getListAttribute": ["list", "string"],
    "getNumberListAttribute": ["list", "number"],
    "getStringMapAttribute": ["map", "string"],
    "getNumberMapAttribute": ["map", "number"],
    "getBooleanMapAttribute": ["map", "bool"],
}
_CDKTF_MAP_TYPES: dict[str, Any] = {
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "StringMapList": ["list", ["map", "string"]],
    "NumberMapList": ["list", ["map", "number"]],
    "BooleanMapList": ["list", ["map", "bool"]],
}
_GETTER_CALL_RE = re.compile(r"this\.(\w+)\('(\w+)'\)")
_TOLIST_PREFIXES = ("cdktf.Fn.tolist", "cdktn.Fn.tolist")


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


class _SchemaBuilder:
    """Turn parsed bindings into ``providers schema -json`` blocks."""

    def __init__(self, bindings: Bindings) -> None:
        self.b = bindings

    def block(
        self, fields: list[FieldSpec], struct: str, ref_class: str | None, *, as_attrs: bool = False
    ) -> JsonDict:
        """Build a block from configurable fields plus computed getters of ``ref_class``.

        ``struct`` names the jsii struct holding the optional flags.  With ``as_attrs``
        (inside a nested attribute, where blocks cannot appear) only an attributes
        mapping is returned and nested structs become nested attributes.
        """
        attributes: JsonDict = {}
        block_types: JsonDict = {}
        flags = self.b.optional.get(struct, {})
        cls = self.b.classes.get(ref_class or "")
        complex_by_name = {c.name: c for c in cls.complex.values()} if cls else {}
        for spec in fields:
            required = spec.camel in flags and not flags[spec.camel]
            computed = complex_by_name[spec.name].computed if spec.name in complex_by_name else False
            if not spec.is_block:
                attributes[spec.name] = _attribute(_simple_type(spec), required, computed)
            elif spec.mapper_block is False or as_attrs:
                attributes[spec.name] = self._nested_attribute(spec, required, computed)
            else:
                block_types[spec.name] = self._nested_block(spec, required)
        if cls:
            for name, type_ in self._computed_getters(cls).items():
                if name not in attributes and name not in block_types:
                    attributes[name] = {"type": type_, "computed": True}
        return {"attributes": attributes, "block_types": block_types} if not as_attrs else attributes

    def _struct_block(self, spec: FieldSpec, *, as_attrs: bool) -> JsonDict:
        function = spec.nested or ""
        struct = _upper_first(function)
        fields = self.b.functions.get(function, [])
        return self.block(fields, struct, struct + "OutputReference", as_attrs=as_attrs)

    def _nested_block(self, spec: FieldSpec, required: bool) -> JsonDict:
        nested: JsonDict = {"nesting_mode": _nesting(spec), "block": self._struct_block(spec, as_attrs=False)}
        if required and nested["nesting_mode"] != "single":
            nested["min_items"] = 1
        if nested["nesting_mode"] == "list" and spec.mapper_block is None:
            nested["max_items"] = 1
        return nested

    def _nested_attribute(self, spec: FieldSpec, required: bool, computed: bool) -> JsonDict:
        nested = {"attributes": self._struct_block(spec, as_attrs=True), "nesting_mode": _nesting(spec)}
        return {"nested_type": nested, **_flags(required, computed)}

    def _computed_getters(self, cls: JsClass) -> dict[str, Any]:
        """Cty types of the getter-only (computed) attributes of a class."""
        types: dict[str, Any] = {}
        for camel, expr in cls.getters.items():
            if camel in cls.setters or camel.endswith("Input") or f"{camel}Input" in cls.getters:
                continue
            if camel in cls.complex:
                complex_field = cls.complex[camel]
                types[complex_field.name] = self.complex_type(complex_field)
                continue
            call = _GETTER_CALL_RE.search(expr)
            if call and call.group(1) in _GETTER_TYPES:
                type_ = _GETTER_TYPES[call.group(1)]
                types[call.group(2)] = ["set", type_[1]] if expr.startswith(_TOLIST_PREFIXES) else type_
        return types

    def complex_type(self, complex_field: ComplexField) -> Any:
        """Cty type of a computed complex attribute (map, or list/set/object of objects)."""
        if complex_field.class_name in _CDKTF_MAP_TYPES:
            return _CDKTF_MAP_TYPES[complex_field.class_name]
        if complex_field.class_name.endswith("List"):
            ref = complex_field.class_name[: -len("List")] + "OutputReference"
            container = "set" if complex_field.wraps_set else "list"
            return [container, self._object_type(ref)]
        ref_cls = self.b.classes.get(complex_field.class_name)
        obj = self._object_type(complex_field.class_name)
        if ref_cls and "terraformAttribute, false, 0)" in ref_cls.text:
            return ["list", obj]
        return obj

    def _object_type(self, ref_class: str) -> Any:
        cls = self.b.classes.get(ref_class)
        if cls is None:
            return "dynamic"
        attrs: dict[str, Any] = {}
        for camel, expr in cls.getters.items():
            if camel.endswith("Input") and camel[: -len("Input")] in cls.getters:
                continue
            if camel in cls.complex:
                attrs[cls.complex[camel].name] = self.complex_type(cls.complex[camel])
                continue
            call = _GETTER_CALL_RE.search(expr)
            if call and call.group(1) in _GETTER_TYPES:
                type_ = _GETTER_TYPES[call.group(1)]
                attrs[call.group(2)] = ["set", type_[1]] if expr.startswith(_TOLIST_PREFIXES) else type_
        return ["object", attrs]

    def top_level(self, class_name: str) -> JsonDict:
        """Schema of a resource, data source or the provider itself."""
        cls = self.b.classes[class_name]
        start = cls.text.find("synthesizeHclAttributes()")
        fields = parse_fields(cls.text[start:]) if start >= 0 else []
        block = self.block(fields, f"{class_name}Config", class_name)
        id_attr = block["attributes"].get("id")
        if id_attr is not None and not id_attr.get("required"):
            id_attr.update({"optional": True, "computed": True})
        return {"version": 0, "block": block}


def _simple_type(spec: FieldSpec) -> Any:
    """Cty type of a non-block field (``type: "set"`` turns a list into a set)."""
    type_ = _SIMPLE_TYPES.get(spec.storage, "dynamic")
    if spec.kind == "set" and isinstance(type_, list):
        return ["set", type_[1]]
    return type_


def _nesting(spec: FieldSpec) -> str:
    return {"set": "set", "struct": "single"}.get(spec.kind, "list")


def _flags(required: bool, computed: bool) -> JsonDict:
    if required:
        return {"required": True}
    return {"optional": True, "computed": True} if computed else {"optional": True}


def _attribute(type_: Any, required: bool, computed: bool) -> JsonDict:
    return {"type": type_, **_flags(required, computed)}


def check_schema(schema: JsonDict, *, min_resources: int = MIN_RESOURCE_TYPES,
                 min_data_sources: int = MIN_DATA_SOURCES) -> None:
    """Fail loudly on a rebuild that found too little: a parser that no longer matches the
    bindings (a new compiler output style) must stop the offline checks, not pass them."""
    schemas = provider_schemas(schema)
    version = schema.get("provider_version", "?")
    found = {"resource types": (len(schemas["resource_schemas"]), min_resources),
             "data sources": (len(schemas["data_source_schemas"]), min_data_sources)}
    for what, (count, minimum) in found.items():
        if count < minimum:
            raise SchemaBuildError(
                f"schema rebuild of provider {version} found {count} {what}, fewer than the sane "
                f"minimum of {minimum}: the bindings parser no longer matches the installed bindings")
    for kind, what in (("resource_schemas", "resource"), ("data_source_schemas", "data source")):
        empty = sorted(name for name, entry in schemas[kind].items()
                       if not entry["block"]["attributes"] and not entry["block"]["block_types"])
        if empty:
            shown = ", ".join(empty[:5]) + (", ..." if len(empty) > 5 else "")
            raise SchemaBuildError(
                f"schema rebuild of provider {version}: {len(empty)} {what}(s) without attributes "
                f"({shown}): the bindings parser no longer matches the installed bindings")


def build_schema(bindings: Bindings, *, min_resources: int = MIN_RESOURCE_TYPES,
                 min_data_sources: int = MIN_DATA_SOURCES) -> JsonDict:
    """Build the full provider schema document from parsed bindings (checked by :func:`check_schema`)."""
    builder = _SchemaBuilder(bindings)
    provider = builder.top_level("DatabricksProvider")
    provider["block"]["attributes"].pop("alias", None)
    resources: JsonDict = {}
    data_sources: JsonDict = {}
    for class_name, type_name in sorted(bindings.type_names.items()):
        if class_name == "DatabricksProvider":
            continue
        target = data_sources if class_name.startswith("DataDatabricks") else resources
        target[type_name] = builder.top_level(class_name)
    schema = {
        "format_version": "1.0",
        "provider_version": bindings.provider_version,
        "provider_schemas": {
            PROVIDER_ADDRESS: {
                "provider": provider,
                "resource_schemas": resources,
                "data_source_schemas": data_sources,
            }
        },
    }
    check_schema(schema, min_resources=min_resources, min_data_sources=min_data_sources)
    return schema


def provider_schemas(schema: JsonDict) -> JsonDict:
    """The single provider entry of a schema document."""
    return schema["provider_schemas"][PROVIDER_ADDRESS]

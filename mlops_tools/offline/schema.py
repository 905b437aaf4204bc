"""Rebuild the Databricks provider schema from the installed provider bindings.

The bindings wheel of the selected engine (``cdktf-cdktf-provider-databricks`` for
cdktf, ``cdktn-provider-databricks`` for CDK Terrain; see :mod:`mlops_engine`) embeds
the npm tarball of the generated TypeScript bindings.  Its JavaScript (``lib/**/*.js``) contains, for
every resource, data source and nested struct, a generated ``*ToHclTerraform``
function listing each Terraform field with ``isBlock``/``type``/
``storageClassType``; output-reference classes expose computed attributes as
getters without setters; the ``.jsii`` assembly says which struct properties
are optional.  From this we rebuild a schema in the shape of
``terraform providers schema -json``.

Known losses compared with the real provider schema: optional+computed flags
(only ``id`` and the generator's annotated complex fields are marked), the
``sensitive``/``deprecated`` flags, exact ``max_items`` above 1 and all checks
the real provider performs internally.

Two compilations of the same generated code are read: the cdktf bindings assign
static and instance members after the class / in the constructor
(``Volume.tfResourceType = "databricks_volume";``, ``this._x = new XOutputReference(...)``),
the CDK Terrain bindings use ES2022 class fields (``static tfResourceType = "...";``,
``_x = new XOutputReference(...);`` in the class body). A rebuild that finds fewer
resource types or data sources than a sane minimum, or a resource without attributes,
raises :class:`SchemaBuildError` instead of serving a schema that would let everything
(or nothing) through.

The rebuilt schema is cached on disk, keyed by bindings version and tarball
size/mtime, so provider processes start fast.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROVIDER_ADDRESS = "registry.terraform.io/databricks/databricks"
_CACHE_FORMAT = 2
#: A rebuild finding fewer than this is broken, not a small provider (1.99.0 has 136/112).
MIN_RESOURCE_TYPES = 100
MIN_DATA_SOURCES = 50

JsonDict = dict[str, Any]

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
_PRIMITIVE_CONVERTERS = {"string", "number", "boolean"}

_CLASS_RE = re.compile(r"^class (\w+) extends [\w.]+ \{\n(.*?)^\}", re.M | re.S)
_FUNC_RE = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}", re.M | re.S)
_TYPE_NAME_RE = re.compile(r'^(\w+)\.tfResourceType = "(\w+)";', re.M)
_STATIC_TYPE_NAME_RE = re.compile(r'^\s+static tfResourceType = "(\w+)";', re.M)
_ATTR_RE = re.compile(
    r"\n\s+(\w+): \{\n\s+value: (.*?),\n\s+isBlock: (true|false),\n"
    r'\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",\n\s+\}'
)
_COMPLEX_RE = re.compile(
    r"// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)\n"
    r'\s+(?:this\.)?_(\w+) = new (?:\w+\.)?(\w+)\(this, "\w+"(?:, (true|false))?\);'
)
_GETTER_RE = re.compile(r"\n    get (\w+)\(\) \{\n\s+return (.+?);\n    \}")
_SETTER_RE = re.compile(r"\n    set (\w+)\(value\)")
_CONVERTER_RE = re.compile(r"(\w+)ToHclTerraform\b")
_CAMEL_RE = re.compile(r"(?:struct\.|this\._)(\w+)")
_MAPPER_RE = re.compile(r"listMapperHcl\([\w.]+, (true|false)\)")
_GETTER_CALL_RE = re.compile(r"this\.(\w+)\('(\w+)'\)")
_TOLIST_PREFIXES = ("cdktf.Fn.tolist", "cdktn.Fn.tolist")


class SchemaBuildError(RuntimeError):
    """The bindings tarball could not be turned into a provider schema."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a generated ``*ToHclTerraform`` function."""

    name: str
    camel: str
    is_block: bool
    kind: str
    storage: str
    nested: str | None
    mapper_block: bool | None


@dataclass(frozen=True)
class ComplexField:
    """A complex (list/object) field created in an output-reference constructor."""

    name: str
    class_name: str
    wraps_set: bool | None
    computed: bool
    optional: bool


@dataclass
class JsClass:
    """Accessors of one generated JavaScript class."""

    name: str
    text: str
    getters: dict[str, str] = field(default_factory=dict)
    setters: set[str] = field(default_factory=set)
    complex: dict[str, ComplexField] = field(default_factory=dict)


@dataclass
class Bindings:
    """Everything parsed from the bindings tarball."""

    provider_version: str
    functions: dict[str, list[FieldSpec]]
    classes: dict[str, JsClass]
    type_names: dict[str, str]
    optional: dict[str, dict[str, bool]]


def bindings_package() -> str:
    """Python package of the selected engine's Databricks bindings (no jsii started)."""
    from mlops_engine import ENGINE

    return ENGINE.provider_package


def bindings_tarball() -> Path:
    """Return the path of the npm tarball embedded in the installed bindings wheel."""
    package = bindings_package()
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SchemaBuildError(f"{package} is not installed (MLOPS_ENGINE selects the engine; "
                               "each engine has its own virtualenv, see the README)")
    jsii_dir = Path(next(iter(spec.submodule_search_locations))) / "_jsii"
    tarballs = sorted(jsii_dir.glob("provider-databricks@*.jsii.tgz"))
    if not tarballs:
        raise SchemaBuildError(f"no provider-databricks@*.jsii.tgz in {jsii_dir}")
    return tarballs[-1]


def _parse_fields(body: str) -> list[FieldSpec]:
    """Parse the ``attrs`` entries of a ``*ToHclTerraform``/``synthesizeHclAttributes`` body."""
    specs = []
    for name, value, is_block, kind, storage in _ATTR_RE.findall(body):
        converters = [c for c in _CONVERTER_RE.findall(value) if c not in _PRIMITIVE_CONVERTERS]
        camel = _CAMEL_RE.findall(value)
        mapper = _MAPPER_RE.search(value)
        specs.append(
            FieldSpec(
                name=name,
                camel=camel[-1] if camel else name,
                is_block=is_block == "true",
                kind=kind,
                storage=storage,
                nested=converters[-1] if converters else None,
                mapper_block=(mapper.group(1) == "true") if mapper else None,
            )
        )
    return specs


def _parse_class(name: str, text: str) -> JsClass:
    """Collect getters, setters and complex fields of one class body."""
    cls = JsClass(name=name, text=text)
    cls.getters = dict(_GETTER_RE.findall(text))
    cls.setters = set(_SETTER_RE.findall(text))
    for tf_name, computed, optional, _req, camel, class_name, wraps in _COMPLEX_RE.findall(text):
        cls.complex[camel] = ComplexField(
            name=tf_name,
            class_name=class_name,
            wraps_set=None if not wraps else wraps == "true",
            computed=computed == "true",
            optional=optional == "true",
        )
    return cls


def _parse_javascript(bindings: Bindings, source: str) -> None:
    """Add the functions, classes and type names of one JavaScript file."""
    for func, body in _FUNC_RE.findall(source):
        bindings.functions[func] = _parse_fields(body)
    for name, text in _CLASS_RE.findall(source):
        bindings.classes[name] = _parse_class(name, text)
        static = _STATIC_TYPE_NAME_RE.search(text)  # ES2022: static field in the class body
        if static:
            bindings.type_names[name] = static.group(1)
    bindings.type_names.update(dict(_TYPE_NAME_RE.findall(source)))  # assigned after the class


def _optional_flags(assembly: JsonDict) -> dict[str, dict[str, bool]]:
    """Map each jsii struct name to ``{property: optional}``."""
    return {
        fqn.rsplit(".", 1)[1]: {p["name"]: bool(p.get("optional")) for p in spec.get("properties", [])}
        for fqn, spec in assembly["types"].items()
        if spec.get("datatype")
    }


def read_bindings(tarball: Path | None = None) -> Bindings:
    """Parse the bindings tarball (JavaScript sources, package.json and .jsii)."""
    path = tarball or bindings_tarball()
    bindings = Bindings("", {}, {}, {}, {})
    with tarfile.open(path) as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = member.name
            if name.endswith(".js") and "/lib/" in name:
                _parse_javascript(bindings, archive.extractfile(member).read().decode())
            elif name == "package/package.json":
                package = json.load(archive.extractfile(member))
                generator = package.get("cdktn") or package.get("cdktf") or {}
                bindings.provider_version = generator.get("provider", {}).get("version", "")
            elif name == "package/.jsii":
                bindings.optional = _optional_flags(json.load(archive.extractfile(member)))
    if not bindings.provider_version or not bindings.functions:
        raise SchemaBuildError(f"{path} does not look like cdktf/cdktn provider bindings")
    return bindings


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
        fields = _parse_fields(cls.text[start:]) if start >= 0 else []
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


def cache_dir() -> Path:
    """Directory for on-disk caches ($XDG_CACHE_HOME or ~/.cache, then mlops-platform)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlops-platform"


def _cache_path(tarball: Path) -> Path:
    stat = tarball.stat()
    key = f"{tarball.name}-{stat.st_size}-{int(stat.st_mtime)}-v{_CACHE_FORMAT}"
    return cache_dir() / "schema" / f"{key}.json"


def schema_cache_path() -> Path:
    """Cache file of the schema rebuilt from the installed bindings (may not exist yet)."""
    return _cache_path(bindings_tarball())


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a private temp file and ``os.replace`` (safe for concurrent writers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_schema(*, use_cache: bool = True) -> JsonDict:
    """Return the provider schema, rebuilding it from the bindings when not cached."""
    tarball = bindings_tarball()
    path = _cache_path(tarball)
    if use_cache and path.exists():
        try:
            cached = json.loads(path.read_text())
        except (OSError, ValueError):
            pass
        else:
            check_schema(cached)
            return cached
    schema = build_schema(read_bindings(tarball))
    if use_cache:
        atomic_write(path, json.dumps(schema, separators=(",", ":")))
    return schema


def provider_schemas(schema: JsonDict) -> JsonDict:
    """The single provider entry of a schema document."""
    return schema["provider_schemas"][PROVIDER_ADDRESS]

"""Read the Databricks provider bindings of the selected engine.

The bindings wheel of the selected engine (``cdktf-cdktf-provider-databricks`` for
cdktf, ``cdktn-provider-databricks`` for CDK Terrain; see :mod:`mlops_engine`) embeds
the npm tarball of the generated TypeScript bindings.  Its JavaScript (``lib/**/*.js``) contains, for
every resource, data source and nested struct, a generated ``*ToHclTerraform``
function listing each Terraform field with ``isBlock``/``type``/
``storageClassType``; output-reference classes expose computed attributes as
getters without setters; the ``.jsii`` assembly says which struct properties
are optional. :func:`read_bindings` collects exactly that (:class:`Bindings`);
:mod:`mlops_tools.offline.schema_builder` turns it into a provider schema.

Two compilations of the same generated code are read: the cdktf bindings assign
static and instance members after the class / in the constructor
(``Volume.tfResourceType = "databricks_volume";``, ``this._x = new XOutputReference(...)``),
the CDK Terrain bindings use ES2022 class fields (``static tfResourceType = "...";``,
``_x = new XOutputReference(...);`` in the class body).
"""

from __future__ import annotations

import importlib.util
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]

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


def parse_fields(body: str) -> list[FieldSpec]:
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
        bindings.functions[func] = parse_fields(body)
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


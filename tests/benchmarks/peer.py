"""Generate the hand-written raw-cdktf peer of a synthesized app, for the comparison benchmark.

The peer is what a careful engineer would write by hand to get the same Terraform: one
program using the typed provider binding classes directly (``Job(stack, "logical_id",
name=..., task=[JobTask(...)])``), every resource a direct child of its stack under its
logical id (so cdktf keeps the id as is), nested blocks as the bindings' struct classes,
and every reference as an attribute read of the referenced resource (``schema.name``,
``Token.as_number(job.id)`` where the schema wants a number), never a ``${...}`` string.
It has no config loading, no validation, no wrapper constructs and no lookups: the floor
our synthesis is measured against. Its output equals ours except the ``//`` metadata
(construct paths); :func:`comparable` strips that for the equality check.

``generate_peer(outdir)`` reads ``manifest.json`` and every ``cdk.tf.json`` of a
synthesized app and returns the program's source. Anything the generator does not know
how to express raises :class:`PeerError` instead of producing a different program.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

_REF = re.compile(r"(?<!\$)\$\{([^{}]*)\}")
_ADDRESS = re.compile(r"^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.([a-z0-9_]+))?$")
_BACKENDS = {"local": "LocalBackend", "s3": "S3Backend", "azurerm": "AzurermBackend", "gcs": "GcsBackend"}
_STACK_KEYS = {"//", "terraform", "provider", "variable", "resource", "data", "output"}


class PeerError(ValueError):
    """The synthesized JSON uses something the peer generator cannot express faithfully."""


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _strip_optional(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union else (annotation,)
    return [a for a in args if a is not type(None)]


def _is_struct(cls: Any) -> bool:
    return isinstance(cls, type) and hasattr(cls, "__jsii_name_mapping__")


@dataclass
class _Field:
    """How a value for one keyword argument is written: struct, list of structs, number, other."""

    python_name: str
    struct: type | None = None
    struct_list: bool = False
    number: bool = False


def _describe(annotation: Any, python_name: str) -> _Field:
    described = _Field(python_name)
    for arg in _strip_optional(annotation):
        if _is_struct(arg):
            described.struct = arg
        elif typing.get_origin(arg) in (list, Sequence):
            inner = [a for a in _strip_optional(typing.get_args(arg)[0]) if _is_struct(a)]
            if inner:
                described.struct, described.struct_list = inner[0], True
        elif arg in (int, float):
            described.number = True
    return described


@dataclass
class _Signature:
    fields: dict[str, _Field] = field(default_factory=dict)


_SIGNATURES: dict[type, _Signature] = {}


def _signature(cls: type) -> _Signature:
    if cls not in _SIGNATURES:
        hints = typing.get_type_hints(cls.__init__)
        signature = _Signature({name: _describe(hint, name) for name, hint in hints.items() if name != "return"})
        _SIGNATURES[cls] = signature
    return _SIGNATURES[cls]


def _field(cls: type, tf_name: str) -> _Field:
    fields = _signature(cls).fields
    for candidate in (tf_name, f"{tf_name}_attribute"):
        if candidate in fields:
            return fields[candidate]
    raise PeerError(f"{cls.__name__} has no argument for {tf_name!r}")


class _Program:
    def __init__(self, core: str, provider: str) -> None:
        self.core, self.provider = core, provider
        self.imports: dict[str, set[str]] = {core: {"App", "TerraformStack"}}
        self.variables: dict[tuple[str, str, str], tuple[str, type]] = {}

    def binding(self, kind: str, rtype: str) -> type:
        module_name = rtype.removeprefix("databricks_")
        module_name = f"data_databricks_{module_name}" if kind == "data" else module_name
        cls = getattr(import_module(f"{self.provider}.{module_name}"), _camel(module_name), None)
        if cls is None:
            raise PeerError(f"no binding class for {kind} {rtype}")
        self.use(cls)
        return cls

    def use(self, cls: type) -> str:
        self.imports.setdefault(cls.__module__, set()).add(cls.__name__)
        return cls.__name__

    # ----------------------------------------------------------------- values

    def reference(self, expression: str) -> tuple[str, str] | None:
        """Python expression reading the referenced attribute, and the referenced variable."""
        match = _ADDRESS.match(expression)
        if match is None:
            return None
        kind = "data" if match.group(1) else "resource"
        key = (kind, match.group(2), match.group(3))
        if key not in self.variables:
            return None
        variable, cls = self.variables[key]
        attribute = match.group(4)
        if attribute is None:
            return variable, variable
        if not isinstance(getattr(cls, attribute, None), property):
            raise PeerError(f"{cls.__name__} has no attribute {attribute!r} (in ${{{expression}}})")
        return f"{variable}.{attribute}", variable

    def string(self, text: str, number: bool) -> str:
        parts: list[str] = []
        position = 0
        for match in _REF.finditer(text):
            read = self.reference(match.group(1))
            if read is None:
                continue
            if match.start() > position:
                parts.append(repr(text[position:match.start()]))
            parts.append(read[0])
            position = match.end()
        if not parts:
            return repr(text)
        if position < len(text):
            parts.append(repr(text[position:]))
        expression = " + ".join(parts)
        if number:
            if len(parts) != 1:
                raise PeerError(f"a number cannot be built from {text!r}")
            self.imports[self.core].add("Token")
            return f"{self.core_name('Token')}.as_number({expression})"
        return expression

    def core_name(self, name: str) -> str:
        self.imports[self.core].add(name)
        return name

    def value(self, value: Any, described: _Field | None) -> str:
        number = bool(described and described.number)
        if described is not None and described.struct is not None:
            if described.struct_list:
                if not isinstance(value, list):
                    raise PeerError(f"{described.python_name}: expected a list of blocks, got {value!r:.80}")
                return "[" + ", ".join(self.struct(described.struct, item) for item in value) + "]"
            if isinstance(value, dict):
                return self.struct(described.struct, value)
        if isinstance(value, str):
            return self.string(value, number)
        if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.value(item, None) for item in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key!r}: {self.value(item, None)}" for key, item in value.items()) + "}"
        raise PeerError(f"cannot write {value!r:.80}")

    def struct(self, cls: type, body: dict[str, Any]) -> str:
        if not isinstance(body, dict):
            raise PeerError(f"{cls.__name__}: expected a block, got {body!r:.80}")
        return f"{self.use(cls)}({self.arguments(cls, body)})"

    def arguments(self, cls: type, body: dict[str, Any]) -> str:
        out = []
        for tf_name, value in body.items():
            if tf_name == "//":
                continue
            described = _field(cls, tf_name)
            out.append(f"{described.python_name}={self.value(value, described)}")
        return ", ".join(out)

    # ----------------------------------------------------------------- stacks

    def resource_refs(self, body: Any) -> set[tuple[str, str, str]]:
        found: set[tuple[str, str, str]] = set()
        for expression in [*_REF.findall(json.dumps(body)), *body.get("depends_on", [])]:
            match = _ADDRESS.match(expression)
            if match:
                found.add(("data" if match.group(1) else "resource", match.group(2), match.group(3)))
        return found

    def stack(self, index: int, name: str, doc: dict[str, Any]) -> list[str]:
        unknown = set(doc) - _STACK_KEYS
        if unknown:
            raise PeerError(f"stack {name}: top-level {sorted(unknown)} not supported by the peer generator")
        self.variables = {}
        lines = [f"def stack_{index}(app):", f"    stack = TerraformStack(app, {name!r})"]
        terraform = doc.get("terraform", {})
        if set(terraform) - {"backend", "required_providers"}:
            raise PeerError(f"stack {name}: terraform block {sorted(terraform)} not supported")
        for backend_type, config in terraform.get("backend", {}).items():
            if backend_type not in _BACKENDS:
                raise PeerError(f"stack {name}: backend {backend_type} not supported")
            cls = getattr(import_module(self.core), _BACKENDS[backend_type])
            self.use(cls)
            lines.append(f"    {cls.__name__}(stack, {self.arguments(cls, config)})")
        providers = doc.get("provider", {})
        if set(providers) - {"databricks"}:
            raise PeerError(f"stack {name}: providers {sorted(providers)} not supported")
        provider_cls = getattr(import_module(f"{self.provider}.provider"), "DatabricksProvider")
        self.use(provider_cls)
        for config in providers.get("databricks", []):
            lines.append(f"    DatabricksProvider(stack, 'databricks', {self.arguments(provider_cls, config)})")
        if doc.get("variable"):  # sensitive input variables (notification destination secrets)
            variable_cls = getattr(import_module(self.core), "TerraformVariable")
            self.use(variable_cls)
            for vname, spec in doc["variable"].items():
                if set(spec) - {"type", "description", "sensitive", "nullable"}:
                    raise PeerError(f"stack {name}: variable {vname} {sorted(spec)} not supported")
                args = ", ".join(f"{k}={v!r}" for k, v in spec.items())
                lines.append(f"    TerraformVariable(stack, {vname!r}, {args})")
        items = [(kind, rtype, lid, body) for kind in ("data", "resource")
                 for rtype, group in doc.get(kind, {}).items() for lid, body in group.items()]
        classes = {(kind, rtype, lid): self.binding(kind, rtype) for kind, rtype, lid, _ in items}
        order = _dependency_order(items, {(k, t, i): self.resource_refs(b) for k, t, i, b in items})
        for number, (kind, rtype, lid, body) in enumerate(order):
            cls = classes[(kind, rtype, lid)]
            variable = f"r{number}"
            arguments = dict(body)
            depends_on = arguments.pop("depends_on", None)
            text = self.arguments(cls, arguments)
            if depends_on is not None:
                reads = [self.reference(_REF.fullmatch(d).group(1) if _REF.fullmatch(d) else d)
                         for d in depends_on]
                if any(r is None for r in reads):
                    raise PeerError(f"{rtype}.{lid}: depends_on {depends_on} not understood")
                text += (", " if text else "") + "depends_on=[" + ", ".join(r[1] for r in reads) + "]"
            lines.append(f"    {variable} = {cls.__name__}(stack, {lid!r}{', ' if text else ''}{text})")
            self.variables[(kind, rtype, lid)] = (variable, cls)
        if doc.get("output"):  # outputs named from config keys (stacks.outputs)
            output_cls = getattr(import_module(self.core), "TerraformOutput")
            self.use(output_cls)
            for oname, spec in doc["output"].items():
                if set(spec) - {"value", "description", "sensitive"} or not isinstance(spec.get("value"), str):
                    raise PeerError(f"stack {name}: output {oname} {sorted(spec)} not supported")
                args = ", ".join(f"{k}={self.string(v, False) if k == 'value' else repr(v)}" for k, v in spec.items())
                lines.append(f"    TerraformOutput(stack, {oname!r}, {args})")
        lines.append("    return stack")
        return lines


def _dependency_order(items: list[tuple[str, str, str, Any]],
                      refs: dict[tuple[str, str, str], set[tuple[str, str, str]]]) -> list[tuple[str, str, str, Any]]:
    """Items with every referenced item first, otherwise in their original order."""
    by_key = {(k, t, i): (k, t, i, b) for k, t, i, b in items}
    done: set[tuple[str, str, str]] = set()
    ordered: list[tuple[str, str, str, Any]] = []

    def visit(key: tuple[str, str, str], trail: frozenset) -> None:
        if key in done:
            return
        if key in trail:
            raise PeerError(f"reference cycle through {key}")
        for dep in sorted(refs.get(key, ()) & by_key.keys()):
            visit(dep, trail | {key})
        done.add(key)
        ordered.append(by_key[key])

    for k, t, i, _ in items:
        visit((k, t, i), frozenset())
    return ordered


def generate_peer(outdir: Path, *, core: str = "cdktf", provider: str = "cdktf_cdktf_provider_databricks") -> str:
    """Source of the raw-cdktf program synthesizing the same stacks as the app synthesized in ``outdir``."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    program = _Program(core, provider)
    bodies: list[str] = []
    calls: list[str] = []
    for index, (name, entry) in enumerate(manifest["stacks"].items()):
        doc = json.loads((outdir / entry["synthesizedStackPath"]).read_text())
        bodies.append("\n".join(program.stack(index, name, doc)))
        calls.append(f"    stacks[{name!r}] = stack_{index}(app)")
    for name, entry in manifest["stacks"].items():
        calls.extend(f"    stacks[{name!r}].add_dependency(stacks[{dep!r}])" for dep in entry.get("dependencies", []))
    imports = [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(program.imports.items())]
    return "\n".join([
        '"""Hand-written raw-cdktf peer (generated by tests/benchmarks/peer.py)."""',
        "import sys", *imports, "", "", *[body + "\n\n" for body in bodies],
        "def main(outdir):", "    app = App(outdir=outdir, skip_validation=False)", "    stacks = {}", *calls,
        "    app.synth()", "", "", "if __name__ == '__main__':", "    main(sys.argv[1])", "",
    ])


def comparable(doc: Any) -> Any:
    """A stack document without cdktf's ``//`` metadata (construct paths), for comparing with the peer's."""
    if isinstance(doc, dict):
        return {k: comparable(v) for k, v in doc.items() if k != "//"}
    if isinstance(doc, list):
        return [comparable(v) for v in doc]
    return doc

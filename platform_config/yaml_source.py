"""A bounded, total YAML loader that remembers where every key came from.

Config comes from pull requests, so it is untrusted text. ``load_yaml`` returns plain
Python data (dicts, lists, str, int, float, bool, None) plus a ``SourceMap`` from key
paths to (file, line), or raises ``ConfigError`` naming file, line and key. It never
raises anything else, never hangs and never uses unbounded memory:

* the file is read with a size cap; invalid UTF-8, NUL and control characters are
  reported with line and column; a UTF-8 BOM and CRLF line ends are accepted;
* nesting is capped (checked on the event stream before anything recursive runs when the
  text could be deep), and so are the number of nodes and characters that alias expansion
  produces (a "billion laughs" file is refused within milliseconds); recursive aliases are
  refused;
* only the YAML core tags are accepted (map, seq, str, int, float, bool, null; an implicit
  timestamp stays the string it was written as); any other tag, ``!!python/object`` included,
  is refused on every kind of node;
* integers must fit 64 bits, floats must be finite;
* merge keys (``<<``) work as YAML 1.1 defines them (explicit keys win, then earlier merge
  sources win); duplicate keys are refused (in a reviewed config the second value silently
  winning is a bug);
* exactly one document per file.

Parsing uses libyaml (PyYAML's C composer) when PyYAML was built with it, keeping the line
marks; otherwise the pure-Python composer, with a one-time notice (``BACKEND``). The
composed node tree is walked once: the walk builds the data, the source map, the list of
string leaves the secret scanner reads, and the raw text of booleans (for the "quote it"
hint), so nothing later re-walks the document.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from platform_config.errors import ConfigError, Problem, key_path

#: Largest config file accepted, in bytes.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 64
#: Most nodes a document may expand to (aliases counted each time they are used).
MAX_NODES = 100_000
#: Most nodes that alias uses may add (a billion-laughs file hits this within milliseconds).
MAX_ALIAS_NODES = 10_000
#: Most scalar characters a document may expand to (aliases counted each time they are used).
MAX_EXPANDED_CHARS = 8 * 1024 * 1024
#: Integers are stored by the Databricks API in at most 64 bits.
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1

_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader")
#: Which YAML composer is used: 'libyaml' (C) or 'python' (pure Python, several times slower).
BACKEND = "libyaml" if _LIBYAML else "python"
_BaseLoader = yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader
_RESOLVED: dict[tuple, str] = {}
_RESOLVED_MAX = 20_000


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader with implicit scalar tags memoized (most config scalars repeat: keys,
    true/false, small numbers); the memo is bounded, so hostile input cannot grow it."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001 (PyYAML's signature)
        if kind is yaml.ScalarNode and implicit[0] and len(value) <= 64:
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[key] = tag
            return tag
        return super().resolve(kind, value, implicit)
NOTICE = ("notice: PyYAML was built without libyaml; config is parsed by the slower "
          "pure-Python loader (install libyaml and reinstall PyYAML to speed it up)")
_noticed = False

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _VALUE, _MERGE = _CORE + "timestamp", _CORE + "value", _CORE + "merge"
_MAP, _SEQ = _CORE + "map", _CORE + "seq"

#: Characters YAML forbids in a stream, and that must not reach a value.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_BRACKETS = re.compile(r"[\[{]")
#: Nesting the composer can recurse through safely (libyaml's is C, PyYAML's is Python).
_SAFE_COMPOSE_DEPTH = 2000 if _LIBYAML else 150


@dataclass
class SourceMap:
    """Maps key paths (tuples of str/int) to the file and line that set them."""

    entries: dict[tuple, tuple[str, int]] = field(default_factory=dict)
    bools: dict[tuple, str] = field(default_factory=dict)
    """Path -> the text of a scalar YAML 1.1 read as a boolean (yes, on, NO...)."""
    strings: list[tuple[tuple, Any, bool]] = field(default_factory=list)
    """(path, value, is_key) for every string and number value and every mapping key, in
    document order: what the secret scanner reads (a key's entry has the key's own path)."""

    templates: bool = False
    """Whether any string or key holds Terraform template syntax (``${`` or ``%{``)."""

    def locate(self, path: tuple, default_file: str) -> tuple[str, int]:
        """The closest known location for ``path``: itself, else its nearest parent."""
        entries = self.entries
        for end in range(len(path), -1, -1):
            hit = entries.get(path[:end])
            if hit:
                return hit
        return (default_file, 0)

    def update(self, other: "SourceMap", prefix: tuple = ()) -> None:
        for path, where in other.entries.items():
            self.entries[prefix + path] = where


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _read(path: Path, display: str) -> str:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError([Problem(display, 0, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([Problem(display, 0, "", f"file is larger than {MAX_FILE_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError([Problem(display, line, "", f"invalid UTF-8 at line {line}, column {column} "
                                   f"(byte 0x{raw[exc.start]:02x}); config files must be UTF-8")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = CONTROL.search(text)
    if bad:
        line, column = _line_col(text, bad.start())
        raise ConfigError([Problem(display, line, "", f"control character U+{ord(bad.group()):04X} at line "
                                   f"{line}, column {column}; remove it")])
    return text


def _could_be_deep(text: str) -> bool:
    """A cheap upper bound on nesting: each block level costs a column or two of a line,
    each flow level a bracket. When the bound is small, the recursive composer is safe."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    return 2 * longest + len(_BRACKETS.findall(text)) > _SAFE_COMPOSE_DEPTH


def _check_depth(text: str, display: str) -> None:
    """Exact nesting check on the event stream (iterative, so deep input cannot crash it)."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise ConfigError([Problem(display, line, "", f"nesting deeper than {MAX_DEPTH} levels")])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, display: str) -> ConfigError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        context = exc.context or ""
        if exc.context_mark and exc.context_mark.line + 1 != line:
            context += f" (started at line {exc.context_mark.line + 1})"
        msg = ": ".join(str(p) for p in (context, exc.problem) if p)
        if mark:
            msg += f" (line {line}, column {mark.column + 1})"
        return ConfigError([Problem(display, line, "", f"invalid YAML: {msg}")])
    return ConfigError([Problem(display, 0, "", f"invalid YAML: {exc}")])


def load_yaml(path: Path, display: str) -> tuple[Any, SourceMap]:
    """Load one YAML file. Raises ConfigError naming file and line on any problem."""
    global _noticed
    if not _LIBYAML and not _noticed:
        _noticed = True
        print(NOTICE, file=sys.stderr)
    text = _read(path, display)
    return load_yaml_text(text, display)


def load_yaml_text(text: str, display: str) -> tuple[Any, SourceMap]:
    """``load_yaml`` on text already read (no BOM)."""
    try:
        if _could_be_deep(text):
            _check_depth(text, display)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, display) from None
    except (RecursionError, MemoryError):  # defence in depth: the checks above prevent these
        raise ConfigError([Problem(display, 0, "", "document too deep or too large")]) from None
    walker = _Walker(display)
    data = walker.walk(node, (), 0) if node is not None else None
    if walker.problems:
        raise ConfigError(walker.problems)
    return data, walker.smap


class _Budget(Exception):
    """The document expanded past a limit; walking stops at once."""


class _Walker:
    """Builds plain data from a composed node tree in one pass (see the module docstring)."""

    def __init__(self, display: str):
        self.display = display
        self.smap = SourceMap()
        self.problems: list[Problem] = []
        self.nodes = 0
        self.chars = 0
        self.seen: set[int] = set()
        self.aliases = 0
        self.alias_level = 0
        self.alias_nodes = 0
        self.active: set[int] = set()

    def problem(self, node: yaml.Node, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.display, node.start_mark.line + 1, key_path(path), message))

    def walk(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        try:
            return self._node(node, path, depth)
        except _Budget as exc:
            self.problems.append(Problem(self.display, exc.args[0], key_path(exc.args[1]), exc.args[2]))
            return None

    def _count(self, node: yaml.Node, path: tuple) -> bool:
        """Count one node against the budgets; True when it is an alias (seen before)."""
        self.nodes += 1
        ident = id(node)
        repeat = ident in self.seen
        if repeat:
            self.aliases += 1
        else:
            self.seen.add(ident)
        if self.alias_level or repeat:
            self.alias_nodes += 1
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _Budget(node.start_mark.line + 1, path,
                          f"aliases expand to more than {MAX_ALIAS_NODES} nodes; refused "
                          "(write the values out, or use fewer aliases)")
        if self.nodes > MAX_NODES or self.chars > MAX_EXPANDED_CHARS:
            what = "aliases expand" if self.aliases else "document has"
            raise _Budget(node.start_mark.line + 1, path,
                          f"{what} to more than {MAX_NODES} nodes or {MAX_EXPANDED_CHARS} characters; refused")
        return repeat

    def _node(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        if self._count(node, path):
            self.alias_level += 1
            try:
                return self._node_body(node, path, depth)
            finally:
                self.alias_level -= 1
        return self._node_body(node, path, depth)

    def _node_body(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        entries = self.smap.entries
        if path not in entries:
            entries[path] = (self.display, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _Budget(node.start_mark.line + 1, path, f"nesting deeper than {MAX_DEPTH} levels")
        ident = id(node)
        if ident in self.active:
            self.problem(node, path, "recursive alias (a node that contains itself); refused")
            return None
        self.active.add(ident)
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    self.problem(node, path, f"unsupported tag {node.tag!r} on a sequence; "
                                 "only plain YAML (mappings, lists, scalars) is accepted")
                    return None
                return [self._node(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            if node.tag != _MAP:
                self.problem(node, path, f"unsupported tag {node.tag!r} on a mapping; "
                             "only plain YAML (mappings, lists, scalars) is accepted")
                return None
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(ident)

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        out: dict[str, Any] = {}
        explicit: set[str] = set()
        entries, strings = self.smap.entries, self.smap.strings
        for key_node, value_node in node.value:  # merged keys first: explicit keys then replace them
            if key_node.tag == _MERGE:
                self._merge(value_node, out, path, depth)
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag == _MERGE:
                continue
            if tag == _STR and not key_node.style:  # the common case: a plain string key
                self.nodes += 1
                key = key_node.value
                self.chars += len(key)
                if "{" in key and ("${" in key or "%{" in key):
                    self.smap.templates = True
            else:
                key = self._key(key_node, path)
                if key is None:
                    continue
            child = path + (key,)
            if key in explicit:
                self.problem(key_node, child, "duplicate key (an earlier value would be silently lost)")
                continue
            explicit.add(key)
            entries[child] = (self.display, key_node.start_mark.line + 1)
            strings.append((child, key, True))
            out[key] = self._node(value_node, child, depth + 1)
        return out

    def _merge(self, merge: yaml.Node, out: dict, path: tuple, depth: int) -> None:
        """YAML merge key: keys of the merged mapping(s) that the mapping does not set itself."""
        sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
        if not all(isinstance(s, yaml.MappingNode) for s in sources) or not sources:
            self.problem(merge, path + ("<<",), "a merge key (<<) must hold a mapping or a list of mappings")
            return
        self._count(merge, path)
        for source in sources:  # earlier sources win over later ones, explicit keys over all
            merged = self._node(source, path, depth)
            if isinstance(merged, dict):
                for key, value in merged.items():
                    out.setdefault(key, value)

    def _key(self, node: yaml.Node, path: tuple) -> str | None:
        self._count(node, path)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, "keys must be strings, got a " +
                         ("mapping" if isinstance(node, yaml.MappingNode) else "list"))
            return None
        value = self._scalar(node, path, record=False)
        if isinstance(value, bool):
            self.problem(node, path, f"keys must be strings: YAML 1.1 reads {node.value!r} as a boolean; "
                         f"quote it ('{node.value}')")
            return None
        if value is None or isinstance(value, float) or not isinstance(value, (str, int)):
            self.problem(node, path, f"keys must be strings, got {node.value!r}")
            return None
        return value if isinstance(value, str) else str(value)

    def _scalar(self, node: yaml.ScalarNode, path: tuple, record: bool = True) -> Any:
        """The scalar's value; ``record`` adds it to ``SourceMap.strings`` (keys are added by
        the mapping, under their own path)."""
        tag, text = node.tag, node.value
        self.chars += len(text)
        if tag == _STR or tag == _TIMESTAMP or tag == _VALUE:
            # raw control characters were refused in the text; only escapes in a
            # double-quoted scalar can produce them
            bad = CONTROL.search(text) if node.style == '"' else None
            if bad:
                self.problem(node, path, f"control character U+{ord(bad.group()):04X} in a string; remove it")
                return None
            if record:
                self.smap.strings.append((path, text, False))
            if "{" in text and ("${" in text or "%{" in text):
                self.smap.templates = True
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if text.lower() not in SafeConstructor.bool_values:  # an explicit !!bool on other text
                self.problem(node, path, f"{text!r} is not a boolean")
                return None
            self.smap.bools[path] = text
            return SafeConstructor.bool_values[text.lower()]
        if tag == _INT:
            digits = text.replace("_", "")
            if len(digits) > 24:
                self.problem(node, path, f"integer out of range (more than 64 bits): {text[:30]}…")
                return None
            try:
                value = SafeConstructor.construct_yaml_int(_CONSTRUCTOR, node)
            except ValueError:  # an explicit !!int on other text
                self.problem(node, path, f"{text!r} is not an integer")
                return None
            if not INT_MIN <= value <= INT_MAX:
                self.problem(node, path, f"integer {text} out of range (64-bit: {INT_MIN}..{INT_MAX})")
                return None
            if record:
                self.smap.strings.append((path, value, False))
            return value
        if tag == _FLOAT:
            if len(text) > 64:
                self.problem(node, path, "number is too long")
                return None
            try:
                value = SafeConstructor.construct_yaml_float(_CONSTRUCTOR, node)
            except ValueError:  # an explicit !!float on other text
                self.problem(node, path, f"{text!r} is not a number")
                return None
            if not math.isfinite(value):
                self.problem(node, path, f"{text!r} is not a finite number (infinity and NaN are refused)")
                return None
            if record:
                self.smap.strings.append((path, value, False))
            return value
        self.problem(node, path, f"unsupported tag {tag!r}; only plain YAML scalars "
                     "(strings, numbers, booleans, null) are accepted")
        return None


_CONSTRUCTOR = SafeConstructor()

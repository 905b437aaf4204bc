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

Parsing uses libyaml (PyYAML's C parser and composer) when PyYAML was built with it, keeping
the line marks; otherwise the pure-Python one, with a one-time notice (``BACKEND``). A file is
built in one pass that makes the data, the source map, the list of string leaves the secret
scanner reads and the raw text of booleans (for the "quote it" hint), so nothing later
re-walks the document. A plain document (no anchors, aliases, merge keys or tags, nothing to
refuse: every shipped file) is parsed once and built straight from the event stream
(``platform_config.yaml_events``). Any other is composed and walked
(``platform_config.yaml_nodes``), which enforces the bounds above and reports every problem;
it is parsed again from the start for that (the event pass stops at the first node it leaves
to the walk). The limits and accepted scalars are ``platform_config.yaml_limits``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platform_config.errors import ConfigError, Problem
from platform_config.yaml_events import NotPlain, build_plain
from platform_config.yaml_limits import (CONTROL, INT_MAX, INT_MIN, MAX_ALIAS_NODES, MAX_DEPTH,  # noqa: F401
                                         MAX_EXPANDED_CHARS, MAX_FILE_BYTES, MAX_NODES)
from platform_config.yaml_nodes import NodeWalker

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
    plain = load_plain(text, display)
    return plain if plain is not None else load_composed(text, display)


def load_plain(text: str, display: str) -> tuple[Any, SourceMap] | None:
    """The fast path (platform_config.yaml_events): a plain document's data and source map,
    built from the event stream; None when the document needs ``load_composed``."""
    smap = SourceMap()
    loader = _Loader(text)
    try:
        return build_plain(loader, display, smap, len(text)), smap
    except (NotPlain, yaml.YAMLError, RecursionError, MemoryError):
        return None  # the general path reports whatever this was
    finally:
        loader.dispose()


def load_composed(text: str, display: str) -> tuple[Any, SourceMap]:
    """The general path (platform_config.yaml_nodes): compose the node tree, walk it once."""
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
    walker = NodeWalker(display, SourceMap())
    data = walker.walk(node, (), 0) if node is not None else None
    if walker.problems:
        raise ConfigError(walker.problems)
    return data, walker.smap

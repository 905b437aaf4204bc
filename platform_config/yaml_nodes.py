"""The composed-node walker of the config YAML loader (``platform_config.yaml_source``).

The general path: a document with anchors, aliases, merge keys or explicit tags, or one with a
problem to report, is composed into a node tree (libyaml's C composer, or PyYAML's) and walked
here once. The walk builds the data, the source map, the list of string leaves the secret
scanner reads and the raw text of booleans, and enforces every bound: alias expansion (node
count and characters), recursive aliases, nesting depth, accepted tags, integer and float
ranges, control characters, duplicate keys, and merge keys as YAML 1.1 defines them (explicit
keys win, then earlier merge sources win). Plain documents take the faster event-stream path
(``platform_config.yaml_events``), which gives the same result.
"""

from __future__ import annotations

from typing import Any

import yaml

from platform_config.errors import Problem, key_path
from platform_config.yaml_limits import (BOOL, BOOL_VALUES, CONTROL, FLOAT, INT, MAP, MAX_ALIAS_NODES, MAX_DEPTH,
                                         MAX_EXPANDED_CHARS, MAX_NODES, MERGE, NULL, SEQ, STR, TIMESTAMP, VALUE,
                                         NumberRefused, number)


class _Budget(Exception):
    """The document expanded past a limit; walking stops at once."""


class NodeWalker:
    """Builds plain data from a composed node tree in one pass (see the module docstring)."""

    def __init__(self, display: str, smap: Any):
        self.display = display
        self.smap = smap
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
                if node.tag != SEQ:
                    self.problem(node, path, f"unsupported tag {node.tag!r} on a sequence; "
                                 "only plain YAML (mappings, lists, scalars) is accepted")
                    return None
                return [self._node(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            if node.tag != MAP:
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
            if key_node.tag == MERGE:
                self._merge(value_node, out, path, depth)
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag == MERGE:
                continue
            if tag == STR and not key_node.style:  # the common case: a plain string key
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
        if tag == STR or tag == TIMESTAMP or tag == VALUE:
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
        if tag == NULL:
            return None
        if tag == BOOL:
            if text.lower() not in BOOL_VALUES:  # an explicit !!bool on other text
                self.problem(node, path, f"{text!r} is not a boolean")
                return None
            self.smap.bools[path] = text
            return BOOL_VALUES[text.lower()]
        if tag in (INT, FLOAT):
            try:
                value = number(tag, text)
            except NumberRefused as refused:
                self.problem(node, path, str(refused))
                return None
            if record:
                self.smap.strings.append((path, value, False))
            return value
        self.problem(node, path, f"unsupported tag {tag!r}; only plain YAML scalars "
                     "(strings, numbers, booleans, null) are accepted")
        return None

"""The fast path of the config YAML loader (``platform_config.yaml_source``): plain documents
built straight from the parser's event stream.

Almost every config file is plain YAML: one mapping of mappings, sequences and untagged
scalars, with no anchors, aliases, merge keys or tags. For such a file this builder makes the
data, the key -> line map, the string leaves the secret scanner reads and the raw text of
booleans in one loop over libyaml's events, without composing a node tree and walking it
(which costs a Python call per node for the resolver, the node and the walk).

It gives exactly what the general composed-node walker (``platform_config.yaml_nodes``) gives,
and only for documents that walker accepts without a problem: at the first thing it does not
handle (an anchor, alias, tag, merge key, non-string key, duplicate key, out-of-range number,
escaped control character, nesting at the depth limit, anything but one mapping document, a
YAML error) it raises ``NotPlain`` and the loader takes the general path from the start, so
every refusal and its message stay the walker's. Nesting is tracked on an explicit stack:
deep input cannot exhaust the interpreter's.
"""

from __future__ import annotations

from typing import Any

import yaml

from platform_config.yaml_limits import (BOOL, BOOL_VALUES, CONTROL, FLOAT, INT, MAX_DEPTH, MAX_EXPANDED_CHARS,
                                         MAX_NODES, NULL, STR, TEXT_TAGS, NumberRefused, number)

_SCALAR = yaml.ScalarEvent
_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent

#: Plain (unquoted) scalar text -> (tag, value); most config scalars repeat (keys, true/false,
#: small numbers). Bounded, so hostile input cannot grow it; long texts are not kept.
_PLAIN: dict[str, tuple[str, Any]] = {}
_PLAIN_MAX = 20_000
_PLAIN_LONGEST = 64
#: The resolver's tag strings as this module's constants (compared by identity in the loop).
_CANONICAL = {tag: tag for tag in (STR, INT, FLOAT, BOOL, NULL, *TEXT_TAGS)}


class NotPlain(Exception):
    """The document needs the general path (``platform_config.yaml_nodes``)."""


def _resolve_plain(text: str, resolvers: dict) -> tuple[str, Any]:
    """Tag and value of a plain scalar, resolved as PyYAML's Resolver does (YAML 1.1 implicit
    types); NotPlain where the walker would refuse it or where it is not a plain value."""
    tag = STR
    for candidate, regexp in [*resolvers.get(text[0] if text else "", ()), *resolvers.get(None, ())]:
        if regexp.match(text):
            tag = _CANONICAL.get(candidate, candidate)
            break
    if tag in TEXT_TAGS:
        value: Any = text
    elif tag == NULL:
        value = None
    elif tag == BOOL:
        value = BOOL_VALUES[text.lower()]
    elif tag in (INT, FLOAT):
        try:
            value = number(tag, text)
        except NumberRefused:  # the walker reports it, with its line
            raise NotPlain from None
    else:  # a merge key, or the 'yaml' type: the walker's business
        raise NotPlain
    hit = (tag, value)
    if len(text) <= _PLAIN_LONGEST and len(_PLAIN) < _PLAIN_MAX:
        _PLAIN[text] = hit
    return hit


def build_plain(loader: Any, display: str, smap: Any, length: int) -> Any:
    """The data of the one mapping document ``loader`` (a PyYAML loader over ``length``
    characters of text) parses, filling ``smap`` (a yaml_source.SourceMap) as the walker
    would; NotPlain otherwise."""
    if length > MAX_EXPANDED_CHARS:  # without aliases, the scalars hold at most the text's characters
        raise NotPlain
    get = loader.get_event
    resolvers = loader.yaml_implicit_resolvers
    if type(get()) is not yaml.StreamStartEvent or type(get()) is not yaml.DocumentStartEvent:
        raise NotPlain
    event = get()
    if type(event) is not _MAP_START or event.anchor is not None or event.tag is not None:
        raise NotPlain
    entries, strings, bools = smap.entries, smap.strings, smap.bools
    entries[()] = (display, event.start_mark.line + 1)
    root: dict = {}
    cur: Any = root
    path: tuple = ()
    is_map = True
    key: str | None = None  # in a mapping: the key whose value comes next
    here: tuple = ()  # the path of the node being read
    stack: list[tuple[Any, tuple, bool]] = []
    templates = False
    plain, text_tags = _PLAIN, TEXT_TAGS
    while True:
        event = get()
        kind = type(event)
        if kind is _SCALAR:
            if event.anchor is not None or event.tag is not None:
                raise NotPlain
            text = event.value
            if event.implicit[0]:
                tag, value = plain.get(text) or _resolve_plain(text, resolvers)
            elif event.style == '"' and CONTROL.search(text):
                raise NotPlain
            else:
                tag, value = STR, text
            if key is None and is_map:  # a key
                if tag not in text_tags or text in cur:
                    raise NotPlain
                if "{" in text and ("${" in text or "%{" in text):
                    templates = True
                key = text
                here = path + (text,)
                entries[here] = (display, event.start_mark.line + 1)
                strings.append((here, text, True))
                continue
            if not is_map:
                here = path + (len(cur),)
                entries[here] = (display, event.start_mark.line + 1)
            if tag is STR or tag in text_tags:  # a string (or a timestamp or '=' kept as text)
                strings.append((here, text, False))
                if "{" in text and ("${" in text or "%{" in text):
                    templates = True
            elif tag is BOOL:
                bools[here] = text
            elif tag is not NULL:
                strings.append((here, value, False))
            if is_map:
                cur[key] = value
                key = None
            else:
                cur.append(value)
        elif kind is _MAP_START or kind is _SEQ_START:
            if (key is None and is_map) or event.anchor is not None or event.tag is not None \
                    or len(stack) + 1 >= MAX_DEPTH:
                raise NotPlain
            if not is_map:
                here = path + (len(cur),)
                entries[here] = (display, event.start_mark.line + 1)
            new: Any = {} if kind is _MAP_START else []
            if is_map:
                cur[key] = new
            else:
                cur.append(new)
            stack.append((cur, path, is_map))
            cur, path, is_map, key = new, here, kind is _MAP_START, None
        elif kind is _MAP_END or kind is _SEQ_END:
            if not stack:
                break
            cur, path, is_map = stack.pop()
            key = None
        else:  # an alias, or anything unexpected
            raise NotPlain
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise NotPlain
    # Every node but the root is a key, a value with its key's entry, or an item with its own:
    # at most twice the entries (the walker counts nodes to refuse an alias expansion).
    if 2 * len(entries) > MAX_NODES:
        raise NotPlain
    smap.templates = templates
    return root

"""YAML loading that remembers where every key came from.

``load_yaml`` returns plain Python data plus a ``SourceMap`` from key paths to
(file, line). Duplicate keys, which PyYAML silently accepts, are reported as
problems: in a reviewed config the second value silently winning is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platform_config.errors import ConfigError, Problem, key_path


@dataclass
class SourceMap:
    """Maps key paths (tuples of str/int) to the file and line that set them."""

    entries: dict[tuple, tuple[str, int]] = field(default_factory=dict)

    def locate(self, path: tuple, default_file: str) -> tuple[str, int]:
        """The closest known location for ``path``: itself, else its nearest parent."""
        for end in range(len(path), -1, -1):
            hit = self.entries.get(tuple(path[:end]))
            if hit:
                return hit
        return (default_file, 0)

    def update(self, other: "SourceMap", prefix: tuple = ()) -> None:
        for path, where in other.entries.items():
            self.entries[prefix + path] = where


class _Loader(yaml.SafeLoader):
    """SafeLoader; we walk the composed node tree ourselves to keep marks."""


def load_yaml(path: Path, display: str) -> tuple[Any, SourceMap]:
    """Load one YAML file. Raises ConfigError naming file and line on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(display, 0, "", f"cannot read file: {exc}")]) from None
    loader = _Loader(text)
    problems: list[Problem] = []
    smap = SourceMap()
    try:
        node = loader.get_single_node()
        data = _walk(loader, node, (), display, smap, problems) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        context = exc.context or ""
        if exc.context_mark and exc.context_mark.line + 1 != line:
            context += f" (started at line {exc.context_mark.line + 1})"
        msg = ": ".join(str(p) for p in (context, exc.problem) if p)
        raise ConfigError([Problem(display, line, "", f"invalid YAML: {msg}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(display, 0, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if problems:
        raise ConfigError(problems)
    return data, smap


def _walk(loader: _Loader, node: yaml.Node, path: tuple, display: str,
          smap: SourceMap, problems: list[Problem]) -> Any:
    smap.entries.setdefault(path, (display, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, bool, float)) or isinstance(key, bool):
                problems.append(Problem(display, key_node.start_mark.line + 1, key_path(path),
                                        f"keys must be strings, got {key!r}"))
                continue
            key = str(key)
            child = path + (key,)
            if key in out:
                problems.append(Problem(display, key_node.start_mark.line + 1, key_path(child),
                                        "duplicate key (an earlier value would be silently lost)"))
                continue
            smap.entries[child] = (display, key_node.start_mark.line + 1)
            out[key] = _walk(loader, value_node, child, display, smap, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, path + (i,), display, smap, problems)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)

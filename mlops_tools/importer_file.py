"""The imports file, ``config/imports/<env>.yaml``, and ``--id`` options (mlops_tools.importer).

Parsed with the bounded loader for untrusted input (:mod:`platform_config.yaml_source`), every
problem located (file, line, key). Written back by ``mlops import``, sorted by key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from platform_config.discovery import _yaml_files, display_path
from platform_config.errors import ConfigError, Problem
from platform_config.yaml_source import load_yaml

IMPORTS_DIR = "imports"
TOP_KEY = "imports"
#: Most entries an imports file may hold (a workspace has far fewer importable objects).
MAX_ENTRIES = 5000
_MAX_KEY = 300


def imports_path(config_dir: Path, env: str) -> Path:
    """``<config>/imports/<env>.yaml``."""
    return Path(config_dir) / IMPORTS_DIR / f"{env}.yaml"


@dataclass(frozen=True)
class ImportEntry:
    """One requested import: which resource (``key``) and which existing object (``id``)."""

    key: str
    """A config key, Terraform address or construct path (see the module docstring)."""
    id: str | None
    """The object's import id; None: look it up by name (``mlops import`` with credentials)."""
    file: str = ""
    """Where it was written: the imports file as the user sees it, or ``--id``."""
    line: int = 0

    def problem(self, summary: str, detail: str = "") -> Problem:
        return Problem(self.file, self.line, self.key, summary, detail=detail)



def _id_value(value: Any) -> tuple[str | None, str | None]:
    """(id, problem) for a YAML value: a string, a non-negative integer (a job id written
    without quotes), or null (look it up)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, "must be the object's import id (a string), not a boolean"
    if isinstance(value, int):
        return (str(value), None) if value >= 0 else (None, "an id is never negative")
    if isinstance(value, str):
        return (value, None) if value.strip() == value and value else (
            None, "must be a non-empty id without surrounding spaces")
    return None, f"must be the object's import id (a string), not a {type(value).__name__}"


def read_imports_file(path: Path) -> list[ImportEntry]:
    """The entries of one imports file; ConfigError (every problem, file:line:key) when bad.

    Parsed with the bounded loader (:mod:`platform_config.yaml_source`): size, depth and
    alias caps, no custom tags, duplicate keys refused.
    """
    shown = display_path(path)
    data, smap = load_yaml(path, shown)
    problems: list[Problem] = []
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {TOP_KEY}:
        extra = sorted(str(k) for k in data) if isinstance(data, dict) else []
        key = next((k for k in extra if k != TOP_KEY), "")
        file, line = smap.locate((key,) if key else (), shown)
        raise ConfigError([Problem(file, line, key, f"an imports file holds one mapping, `{TOP_KEY}:` "
                                   "(key: the resource, value: the existing object's id)")])
    items = data.get(TOP_KEY) or {}
    if not isinstance(items, dict):
        file, line = smap.locate((TOP_KEY,), shown)
        raise ConfigError([Problem(file, line, TOP_KEY, "must be a mapping of resource key -> import id")])
    if len(items) > MAX_ENTRIES:
        file, line = smap.locate((TOP_KEY,), shown)
        raise ConfigError([Problem(file, line, TOP_KEY, f"more than {MAX_ENTRIES} entries")])
    entries = []
    for key, value in items.items():
        file, line = smap.locate((TOP_KEY, key), shown)
        label = f"{TOP_KEY}.{key}"
        if not isinstance(key, str) or not key or len(key) > _MAX_KEY:
            problems.append(Problem(file, line, label[:_MAX_KEY], "a key names a resource: a config key, "
                                    "Terraform address or construct path"))
            continue
        import_id, problem = _id_value(value)
        if problem:
            problems.append(Problem(file, line, key, problem))
            continue
        entries.append(ImportEntry(key, import_id, file, line))
    ConfigError.raise_for(problems)
    return entries


def parse_id_options(values: Iterable[str]) -> list[ImportEntry]:
    """``--id KEY=ID`` (or ``--id KEY``: look the id up) as entries located at ``--id``."""
    entries, problems = [], []
    for value in values:
        key, sep, import_id = value.partition("=")
        key, import_id = key.strip(), import_id.strip()
        if not key or len(key) > _MAX_KEY or (sep and not import_id):
            problems.append(Problem("--id", 0, key[:_MAX_KEY], "expected --id KEY=ID (or --id KEY to look "
                                    "the id up), KEY a config key, Terraform address or construct path"))
            continue
        entries.append(ImportEntry(key, import_id if sep else None, "--id", 0))
    ConfigError.raise_for(problems)
    return entries


def read_environment_imports(config_dir: Path, environments: Iterable[str]) -> dict[str, list[ImportEntry]]:
    """Environment -> entries of ``<config>/imports/<env>.yaml``, for every file that exists.

    Every other entry of the imports folder (a file for no known environment, ``.yml``,
    a subfolder) is a problem, never a silent skip. Nothing here starts jsii.
    """
    folder = Path(config_dir) / IMPORTS_DIR
    problems: list[Problem] = []
    files = _yaml_files(folder, Path(config_dir), problems)
    known = set(environments)
    out: dict[str, list[ImportEntry]] = {}
    for path in files:
        env = path.name.rsplit(".", 1)[0]
        if env not in known or path.suffix != ".yaml":
            problems.append(Problem(display_path(path), 0, "", f"an imports file is named <environment>.yaml "
                                    f"(environments: {', '.join(sorted(known))})"))
            continue
        try:
            out[env] = read_imports_file(path)
        except ConfigError as exc:
            problems.extend(exc.diagnostics)
    ConfigError.raise_for(problems)
    return out


# ----------------------------------------------------------------------------- writing

def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def render_imports_file(entries: Iterable[ImportEntry], env: str) -> str:
    """An imports file holding ``entries`` (sorted by key), as ``mlops import`` writes it."""
    lines = [
        f"# Objects of the {env} workspace that the platform adopts instead of creating (docs/adopting.md).",
        "# Key: a config key, Terraform address or construct path; value: the object's import id.",
        "# The next plan shows each as an import. Remove the file once the imports are applied.",
        f"{TOP_KEY}:",
    ]
    for entry in sorted(entries, key=lambda e: e.key):
        value = "null" if entry.id is None else _yaml_string(entry.id)
        lines.append(f"  {_yaml_string(entry.key)}: {value}")
    if len(lines) == 4:
        lines[-1] = f"{TOP_KEY}: {{}}"
    return "\n".join(lines) + "\n"

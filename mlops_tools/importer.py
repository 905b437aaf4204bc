"""Adopt objects that already exist: the imports file, and ``import`` blocks at synth time.

An environment's imports file, ``config/imports/<env>.yaml``, names objects of a hand-built
workspace that the platform should take over instead of creating (docs/adopting.md)::

    imports:
      catalog: mlops_dev                              # a config key ...
      churn.schemas.features: mlops_dev.churn_features
      churn.jobs.training: "123456789"
      databricks_volume.churn_volume_raw_extracts_2BE84BCF: mlops_dev.churn_features.raw_extracts  # ... or an address

Synth (:func:`apply_imports`) turns every entry into a Terraform 1.5+ ``import`` block of the
stack that holds the resource (``resource.import_from(id)``, so the engine writes
``"import": [{"id": ..., "to": ...}]`` into that stack's cdk.tf.json). ``npx cdktf deploy``,
``mlops plan`` and the saved-plan CI (plan-stacks.sh / apply-plans.sh) all read cdk.tf.json,
so each of them plans "import" instead of "create". Without an imports file nothing is added
and the output is byte-identical.

A key names one resource of the environment's stacks, as any of:

* a config key: ``catalog``, ``sql_warehouses.<key>``, ``compute.cluster_policies.<key>``,
  ``<project>.schemas.<key>``, ``<project>.volumes.<key>``, ``<project>.jobs.<key>``,
  ``<project>.serving.endpoints.<key>``, ``<project>.experiment``, ``<project>.model``;
* its Terraform address (``databricks_job.churn_training_job_8DF4A991``, as ``mlops plan``
  and cdk.tf.json show it);
* its construct path below the stack (``churn/training_job``).

Bad input is exit 2 with file, line and key: a key that names no resource (with close
matches), a type that cannot be imported, an id of the wrong format for the type
(:mod:`databricks_spec.import_ids`), the same resource or the same object imported twice.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from databricks_spec.import_ids import IMPORT_IDS, import_id_problem
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


# ----------------------------------------------------------------------------- reading

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


# ----------------------------------------------------------------------------- resources

#: (resource type, construct path below the stack) -> config key. ``{p}`` is the project,
#: ``{k}`` the unit's key. The construct ids are the stacks' (stacks/platform.py,
#: stacks/project.py, stacks/jobs.py): stable in both layouts.
_CONFIG_KEYS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (rtype, re.compile(pattern), key) for rtype, pattern, key in (
        ("databricks_catalog", r"platform/catalog/Resource", "catalog"),
        ("databricks_sql_endpoint", r"platform/sql_warehouse_(?P<k>[^/]+)/Resource", "sql_warehouses.{k}"),
        ("databricks_cluster_policy", r"cluster_policies/(?P<k>[^/]+)/policy/Resource",
         "compute.cluster_policies.{k}"),
        ("databricks_schema", r"(?P<p>[^/]+)/schema_(?P<k>[^/]+)/Resource", "{p}.schemas.{k}"),
        ("databricks_volume", r"(?P<p>[^/]+)/volume_(?P<k>[^/]+)/Resource", "{p}.volumes.{k}"),
        ("databricks_job", r"(?P<p>[^/]+)/(?P<k>[^/]+)_job/Resource/Resource", "{p}.jobs.{k}"),
        ("databricks_model_serving", r"(?P<p>[^/]+)/serving_(?P<k>[^/]+)/Resource",
         "{p}.serving.endpoints.{k}"),
        ("databricks_mlflow_experiment", r"(?P<p>[^/]+)/experiment/Resource", "{p}.experiment"),
        ("databricks_registered_model", r"(?P<p>[^/]+)/model/Resource", "{p}.model"),
    ))


def config_key(resource_type: str, path: str) -> str | None:
    """The config key of a resource, from its construct path below the stack (None: none)."""
    for rtype, pattern, key in _CONFIG_KEYS:
        match = pattern.fullmatch(path) if rtype == resource_type else None
        if match:
            return key.format(**match.groupdict())
    return None


@dataclass(frozen=True)
class StackResource:
    """One managed resource of a synthesized stack."""

    stack: str
    type: str
    name: str
    """The logical id (the address's second part)."""
    path: str
    """The construct path below the stack (``churn/training_job/Resource/Resource``)."""
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Its synthesized body (from cdk.tf.json; empty when read from the construct tree)."""

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def config_key(self) -> str | None:
        return config_key(self.type, self.path)

    @property
    def short_path(self) -> str:
        """The construct path without its trailing ``Resource`` / ``Schedule`` parts."""
        parts = self.path.split("/")
        while len(parts) > 1 and parts[-1] in ("Resource", "Schedule"):
            parts.pop()
        return "/".join(parts)

    def names(self) -> list[str]:
        """Every key that names this resource."""
        keys = [self.address, self.path, self.short_path, f"{self.stack}/{self.path}"]
        if self.config_key:
            keys.insert(0, self.config_key)
        return list(dict.fromkeys(keys))


def resources_from_json(stack: str, doc: dict[str, Any]) -> list[StackResource]:
    """The managed resources of one synthesized cdk.tf.json."""
    out = []
    for rtype, items in sorted((doc.get("resource") or {}).items()):
        for name, body in sorted(items.items()):
            meta = (body.get("//") or {}).get("metadata") or {} if isinstance(body, dict) else {}
            full = str(meta.get("path") or f"{stack}/{name}")
            out.append(StackResource(stack, rtype, name, full.split("/", 1)[1] if "/" in full else full, body))
    return out


@dataclass(frozen=True)
class ResolvedImport:
    """An entry matched to the resource it imports into."""

    entry: ImportEntry
    resource: StackResource
    id: str | None

    @property
    def to(self) -> str:
        return self.resource.address


def _index(resources: list[StackResource]) -> dict[str, list[StackResource]]:
    index: dict[str, list[StackResource]] = {}
    for resource in resources:
        for name in resource.names():
            bucket = index.setdefault(name, [])
            if resource not in bucket:
                bucket.append(resource)
    return index


def close_matches(key: str, resources: list[StackResource], limit: int = 3) -> list[str]:
    """The importable names closest to ``key`` (config keys and addresses)."""
    candidates = sorted({n for r in resources if r.type in IMPORT_IDS
                         for n in ([r.config_key] if r.config_key else []) + [r.address]})
    close = difflib.get_close_matches(key, candidates, n=limit, cutoff=0.5)
    if not close:  # e.g. a job key typed as an address fragment: match on the last word
        tail = re.split(r"[./]", key)[-1].lower()
        close = [c for c in candidates if tail and tail in c.lower()][:limit]
    return close


def resolve(entries: Iterable[ImportEntry], resources: list[StackResource], env: str) -> list[ResolvedImport]:
    """Match every entry to one importable resource and check its id; raise ConfigError with
    every problem (file:line:key): unknown or ambiguous key, a type that is not imported,
    an id of the wrong format, a resource or an object imported twice."""
    index = _index(resources)
    problems: list[Problem] = []
    resolved: list[ResolvedImport] = []
    by_address: dict[str, ResolvedImport] = {}
    by_object: dict[tuple[str, str], ResolvedImport] = {}
    for entry in entries:
        matches = index.get(entry.key, [])
        if not matches:
            close = close_matches(entry.key, resources)
            problems.append(entry.problem(
                f"no resource {entry.key!r} in the stacks of environment {env}",
                detail=f"did you mean: {', '.join(close)}" if close
                else "name a resource by its config key, its Terraform address (mlops plan, cdk.tf.json) "
                     "or its construct path"))
            continue
        if len(matches) > 1:
            problems.append(entry.problem(f"{entry.key!r} names {len(matches)} resources",
                                          detail="use the address: " + ", ".join(
                                              f"{m.stack}: {m.address}" for m in matches)))
            continue
        resource = matches[0]
        if entry.id is not None:
            problem = import_id_problem(resource.type, entry.id)
        elif resource.type not in IMPORT_IDS:
            problem = import_id_problem(resource.type, "")
        else:
            problem = None
        if problem:
            problems.append(entry.problem(f"{resource.address}: {problem}"))
            continue
        item = ResolvedImport(entry, resource, entry.id)
        earlier = by_address.get(resource.address)
        if earlier is not None:
            if earlier.id == item.id and earlier.entry.key == entry.key and earlier.entry.file != entry.file:
                continue  # the same import given again (e.g. --id repeating the file): nothing new
            where = f"{earlier.entry.file}:{earlier.entry.line}" if earlier.entry.line else earlier.entry.file
            problems.append(entry.problem(f"duplicate import of {resource.address}: already imported by "
                                          f"{earlier.entry.key!r} ({where})",
                                          detail="one resource adopts one object: remove one entry"))
            continue
        if item.id is not None:
            other = by_object.get((resource.type, item.id))
            if other is not None:
                problems.append(entry.problem(
                    f"duplicate import: {resource.type} {item.id!r} is already imported into {other.to} "
                    f"({other.entry.key!r})", detail="two resources managing one object would fight over it"))
                continue
            by_object[(resource.type, item.id)] = item
        by_address[resource.address] = item
        resolved.append(item)
    ConfigError.raise_for(problems)
    return resolved


# ----------------------------------------------------------------------------- synth

def _tree_resources(stack: Any) -> tuple[list[StackResource], dict[str, Any]]:
    """The stack's resources read from its construct tree (records, and address -> construct)."""
    from mlops_engine import TerraformResource

    records, constructs = [], {}
    prefix = f"{stack.node.path}/"
    for construct in stack.node.find_all():
        if not TerraformResource.is_terraform_resource(construct):
            continue
        record = StackResource(stack.node.id, construct.terraform_resource_type, construct.friendly_unique_id,
                               construct.node.path.removeprefix(prefix))
        records.append(record)
        constructs[record.address] = construct
    return records, constructs


def apply_imports(app: Any, stacks_by_env: dict[str, list[str]],
                  entries_by_env: dict[str, list[ImportEntry]]) -> dict[str, list[ResolvedImport]]:
    """Add an ``import`` block (``import_from``) for every entry, before ``app.synth()``.

    ``stacks_by_env`` lists each environment's stack names (stacks.layout). Entries without
    an id are refused here: synth never looks anything up (``mlops import`` does).
    Raises ConfigError with every problem; returns the imports per environment.
    """
    done: dict[str, list[ResolvedImport]] = {}
    for env, entries in sorted(entries_by_env.items()):
        if not entries:
            continue
        missing = [e.problem("no id: write the object's import id, or run `mlops import` with "
                             "credentials to look it up") for e in entries if e.id is None]
        ConfigError.raise_for(missing)
        records: list[StackResource] = []
        constructs: dict[tuple[str, str], Any] = {}
        for name in stacks_by_env.get(env, []):
            found, by_address = _tree_resources(app.node.find_child(name))
            records += found
            constructs.update({(name, a): c for a, c in by_address.items()})
        resolved = resolve(entries, records, env)
        for item in resolved:
            constructs[(item.resource.stack, item.to)].import_from(item.id)
        done[env] = resolved
    return done


# ----------------------------------------------------------------------------- writing

def _yaml_string(value: str) -> str:
    import json

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

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
from typing import Any, Iterable

from databricks_spec.import_ids import IMPORT_IDS, import_id_problem
from mlops_tools.importer_file import ImportEntry
from platform_config.errors import ConfigError, Problem

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
            findings = import_id_problem(resource.type, entry.id)
        elif resource.type not in IMPORT_IDS:
            findings = import_id_problem(resource.type, "")
        else:
            findings = []
        if findings:  # the message names its source (the type's 'Import' section) already
            problems += [entry.problem(f"{resource.address}: {f.message}") for f in findings]
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

def _tree_resources(stack: Any, paths: dict[str, str]) -> tuple[list[StackResource], dict[str, Any]]:
    """The stack's resources read from its construct tree (records, and address -> construct).
    ``paths``: logical id -> unit path of the elements of flat units (mlops_constructs.unit), which
    name them as the tree of units does."""
    from mlops_engine import TerraformResource

    records, constructs = [], {}
    prefix = f"{stack.node.path}/"
    for construct in stack.node.find_all():
        if not TerraformResource.is_terraform_resource(construct):
            continue
        logical = construct.friendly_unique_id
        path = paths.get(logical) or construct.node.path
        record = StackResource(stack.node.id, construct.terraform_resource_type, logical, path.removeprefix(prefix))
        records.append(record)
        constructs[record.address] = construct
    return records, constructs


def apply_imports(app: Any, stacks_by_env: dict[str, list[str]], entries_by_env: dict[str, list[ImportEntry]],
                  unit_paths: dict[str, dict[str, str]] | None = None) -> dict[str, list[ResolvedImport]]:
    """Add an ``import`` block (``import_from``) for every entry, before ``app.synth()``.

    ``stacks_by_env`` lists each environment's stack names (stacks.layout); ``unit_paths`` gives,
    per stack, the unit path of each element of a flat unit (stacks.app.unit_paths_of), so a
    construct path in the imports file names it as before. Entries without
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
            found, by_address = _tree_resources(app.node.find_child(name), (unit_paths or {}).get(name, {}))
            records += found
            constructs.update({(name, a): c for a, c in by_address.items()})
        resolved = resolve(entries, records, env)
        for item in resolved:
            constructs[(item.resource.stack, item.to)].import_from(item.id)
        done[env] = resolved
    return done

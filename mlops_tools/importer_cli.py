"""``mlops import``: write the imports file that makes the next plan adopt existing objects.

    mlops import --env dev --id churn.jobs.training=123456789 --id catalog=mlops_dev
    mlops import --env dev --all          # with credentials: look every object up by its name

Ids come from ``config/imports/<env>.yaml`` (kept), from ``--id KEY=ID``, and, when
credentials exist (``DATABRICKS_HOST`` / ``DATABRICKS_CONFIG_PROFILE``), from the workspace:
entries without an id (``--id KEY``, ``key: null`` in the file, or every importable resource
with ``--all``) are looked up with databricks-sdk by the names the platform resolved.
Offline, every id must be given. The result is written back to ``config/imports/<env>.yaml``
(sorted; ``--dry-run`` writes nothing), and the ``import`` blocks it makes are printed
(``import { to = ..., id = ... }``). The next ``mlops plan`` / ``npx cdktf deploy`` synthesizes
them into the stacks (:mod:`mlops_tools.importer`) and Terraform plans "import" instead of
"create". docs/adopting.md walks through it.

Exit codes: 0 written (or nothing to do), 2 bad input: an unknown environment, a key that
names no resource (close matches listed), an id that does not fit the resource type, a
duplicate import, an id that cannot be looked up or an object the workspace does not have;
nothing is written then.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from databricks_spec.diagnostics import ExitCode
from mlops_tools.errors import OutputError, UsageError
from mlops_tools.importer import ResolvedImport, StackResource, resolve, resources_from_json
from mlops_tools.importer_file import (ImportEntry, imports_path, parse_id_options, read_imports_file,
                                       render_imports_file)
from mlops_tools.registry import Registry
from platform_config.discovery import display_path
from platform_config.errors import ConfigError, Problem


def _env_resources(outdir: Path, stack_names: list[str]) -> list[StackResource]:
    import json

    out: list[StackResource] = []
    for name in stack_names:
        doc = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())
        out += resources_from_json(name, doc)
    return out


def _client(env_host: str, allow_other: bool):
    from mlops_tools.importer_lookup import client_host, describe_error, same_host, workspace_client

    try:
        client = workspace_client()
        host = client_host(client)
    except Exception as exc:  # noqa: BLE001 - SDK configuration errors (no auth, bad profile)
        raise UsageError.of(f"cannot configure the Databricks SDK: {describe_error(exc)}",
                            detail="set DATABRICKS_HOST and DATABRICKS_TOKEN (or a profile), or give every "
                                   "id and run without credentials") from None
    if not same_host(host, env_host) and not allow_other:
        raise UsageError.of(f"the credentials point at {host}, but this environment deploys to {env_host}",
                            detail="ids from another workspace would adopt the wrong objects; point "
                                   "DATABRICKS_HOST at the environment's workspace (or pass "
                                   "--allow-other-workspace)")
    return client


def _look_up(items: list[ResolvedImport], resources: list[StackResource], client, *,
             optional: set[str]) -> tuple[list[ImportEntry], list[str]]:
    """Entries with the ids found, and the keys of optional entries the workspace does not have."""
    from mlops_tools.importer_lookup import LookupError_, describe_error, lookup

    by_address = {r.address: r for r in resources}
    found, absent, problems = [], [], []
    for item in items:
        entry = item.entry
        try:
            result = lookup(client, item.resource, by_address)
        except LookupError_ as exc:
            problems.append(entry.problem(f"{item.to}: cannot look the id up: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - HTTP, permission or connection errors: the user's to fix
            problems.append(entry.problem(f"{item.to}: lookup failed: {describe_error(exc)}"))
            continue
        if result.id is None:
            if entry.key in optional:
                absent.append(f"{entry.key} ({result.name})")
            else:
                problems.append(entry.problem(f"{item.to}: the workspace has no {item.resource.type} named "
                                              f"{result.name!r}", detail="remove the entry: the object will "
                                              "be created, or give its id if it has another name"))
            continue
        found.append(ImportEntry(entry.key, result.id, entry.file, entry.line))
    ConfigError.raise_for(problems)
    return found, absent


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise OutputError.of(f"cannot write {display_path(path)}: {exc.strerror or exc}") from None


def hcl_blocks(items: list[ResolvedImport]) -> str:
    """The import blocks as Terraform writes them (for reading; synth writes the JSON form)."""
    import json

    blocks = [f"# stack {i.resource.stack}\nimport {{\n  to = {i.to}\n  id = {json.dumps(i.id)}\n}}" for i in items]
    return "\n\n".join(blocks)


def cmd_import(args: argparse.Namespace) -> int:
    from mlops_tools.importer_lookup import has_credentials
    from mlops_tools.synth import load, stacks_by_env, synth

    platform = load(args.config)
    if args.env not in platform.environments:
        raise UsageError.of(f"unknown environment: {args.env[:60]}",
                            detail=f"known environments: {', '.join(sorted(platform.environments))}")
    path = imports_path(args.config, args.env)
    existing = read_imports_file(path) if path.is_file() else []
    given = existing + parse_id_options(args.id)
    with tempfile.TemporaryDirectory(prefix="mlops-import-") as tmp:
        synth(args.config, Path(tmp) / "out", with_imports=False)
        resources = _env_resources(Path(tmp) / "out", stacks_by_env(platform)[args.env])
    optional: set[str] = set()
    if args.all:
        named = {item.resource.address for item in resolve(given, resources, args.env)}
        for resource in resources:
            if resource.address not in named and resource.type in _importable():
                key = resource.config_key or resource.address
                optional.add(key)
                given.append(ImportEntry(key, None, "--all", 0))
    resolved = resolve(given, resources, args.env)
    missing = [i for i in resolved if i.id is None]
    absent: list[str] = []
    entries = [i.entry for i in resolved if i.id is not None]
    if missing:
        if args.offline or not has_credentials():
            ConfigError.raise_for([i.entry.problem(
                f"{i.to}: no id, and no credentials to look it up",
                detail="write the id (--id KEY=ID or in the imports file), or set DATABRICKS_HOST and "
                       "DATABRICKS_TOKEN (or DATABRICKS_CONFIG_PROFILE) to look it up by name")
                for i in missing if i.entry.key not in optional] or [Problem(
                    "--all", 0, "", "--all looks every object up by name: it needs credentials "
                    "(DATABRICKS_HOST and DATABRICKS_TOKEN, or DATABRICKS_CONFIG_PROFILE)")])
        client = _client(platform.environments[args.env].workspace.host, args.allow_other_workspace)
        found, absent = _look_up(missing, resources, client, optional=optional)
        entries += found
    final = resolve(entries, resources, args.env)  # looked-up ids too: format and duplicates
    final.sort(key=lambda i: (i.resource.stack, i.to))
    _report(final, absent, path, args)
    if not args.dry_run and (final or path.is_file()):
        _write(path, render_imports_file([i.entry for i in final], args.env))
    return ExitCode.OK


def _importable() -> tuple[str, ...]:
    from databricks_spec.import_ids import IMPORTABLE_TYPES

    return IMPORTABLE_TYPES


def _report(final: list[ResolvedImport], absent: list[str], path: Path, args: argparse.Namespace) -> None:
    rows = [("stack", "address", "id", "key")]
    rows += [(i.resource.stack, i.to, str(i.id), i.entry.key) for i in final]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for n, row in enumerate(rows):
        print("  ".join(f"{cell:<{widths[c]}}" for c, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for key in absent:
        print(f"not in the workspace (will be created): {key}")
    if args.verbose and final:
        print("\n" + hcl_blocks(final))
    shown = display_path(path)
    if args.dry_run:
        print(f"{len(final)} import(s); --dry-run: {shown} not written", file=sys.stderr)
    else:
        print(f"{len(final)} import(s) written to {shown}; the next `mlops plan --env {args.env}` shows "
              "them as import (docs/adopting.md)", file=sys.stderr)


def register(registry: Registry) -> None:
    parser = registry.add(
        "import", cmd_import, help="adopt existing workspace objects: write import blocks (config/imports/<env>.yaml)",
        shared=("config", "verbose"),
        description="Write config/imports/<ENV>.yaml, the import blocks that make the next plan adopt "
                    "objects that already exist (catalogs, schemas, volumes, jobs, serving endpoints, "
                    "experiments, registered models, SQL warehouses, cluster policies) instead of "
                    "creating them. Ids come from that file, from --id, and with credentials "
                    "(DATABRICKS_HOST ...) from the workspace, looked up by name. See docs/adopting.md.")
    parser.add_argument("--env", required=True, metavar="ENV", help="the environment whose objects to adopt")
    parser.add_argument("--id", action="append", default=[], metavar="KEY[=ID]",
                        help="adopt KEY (a config key such as churn.jobs.training, a Terraform address or a "
                             "construct path) as the object ID; without =ID the id is looked up (repeatable)")
    parser.add_argument("--all", action="store_true",
                        help="with credentials: look up every importable object of the environment by name")
    parser.add_argument("--offline", action="store_true", help="never look anything up (ignore credentials)")
    parser.add_argument("--allow-other-workspace", action="store_true",
                        help="look ids up even where the credentials' host is not the environment's workspace")
    parser.add_argument("--dry-run", action="store_true", help="check and print, write nothing")

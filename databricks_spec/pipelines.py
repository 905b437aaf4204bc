"""Lakeflow Declarative Pipelines (databricks_pipeline) and Auto Loader facts, as pure rules.

Sources: provider docs 1.99.0 resources/pipeline.md (editions, channels,
notification alert types, library kinds, tags), resources/permissions.md
("Pipelines usage": CAN_VIEW, CAN_RUN, CAN_MANAGE, IS_OWNER) and the Auto
Loader options reference (``cloudFiles.format``,
``cloudFiles.schemaEvolutionMode``). Each rule returns findings (``databricks_spec.rules``;
none when the value is fine), each with its doc reference; config attaches file:line,
constructs call the same function (skipping unresolved tokens).

The configuration contract the platform writes into a pipeline's
``configuration`` map (docs/pipelines.md) is defined here too, once:
:func:`ingest_key` and :func:`expectations_key`.

One concept across the layers: ``platform_config.pipelines`` (the YAML models),
``resolution.pipelines`` (resolved names and values) and ``stacks.pipelines`` (composition)
all build on the facts here.
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from databricks_spec.docs import databricks_doc, provider_doc
from databricks_spec.rules import Finding

DOC = "provider docs: pipeline"

#: Pipeline permission levels, lowest first (provider docs: permissions, "Pipelines usage").
PIPELINE_LEVELS: tuple[str, ...] = ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER")
#: Product editions (pipeline.md, `edition`); ADVANCED is the service default.
EDITIONS: tuple[str, ...] = ("CORE", "PRO", "ADVANCED")
#: Release channels (pipeline.md, `channel`); CURRENT is the service default.
CHANNELS: tuple[str, ...] = ("CURRENT", "PREVIEW")
#: Alert types of a `notification` block (pipeline.md, "notification block").
ALERTS: tuple[str, ...] = ("on-flow-failure", "on-update-failure", "on-update-fatal-failure",
                           "on-update-success")
#: Autoscaling algorithms of a pipeline cluster (pipeline.md, `cluster`: autoscale `mode`).
AUTOSCALE_MODES: tuple[str, ...] = ("ENHANCED", "LEGACY")
#: A pipeline takes at most this many tags (pipeline.md, `tags`).
MAX_TAGS = 25

#: File formats Auto Loader reads (Auto Loader options, `cloudFiles.format`).
AUTOLOADER_FORMATS: tuple[str, ...] = ("avro", "binaryFile", "csv", "json", "orc", "parquet", "text", "xml")
#: Auto Loader schema evolution modes (`cloudFiles.schemaEvolutionMode`).
SCHEMA_EVOLUTION_MODES: tuple[str, ...] = ("addNewColumns", "failOnNewColumns", "none", "rescue")
#: What a failed expectation does: keep the row and record it (warn, Lakeflow's @expect),
#: drop the row (@expect_or_drop) or fail the update (@expect_or_fail).
EXPECTATION_ACTIONS: tuple[str, ...] = ("drop", "fail", "warn")

#: Prefix of every configuration key the platform sets; pipeline code reads them with spark.conf.get.
CONFIG_PREFIX = "mlops"
#: Configuration key listing the ingest target tables (comma-separated, sorted).
INGEST_TABLES_KEY = f"{CONFIG_PREFIX}.ingest.tables"

_CLOUD_URI = re.compile(r"^(s3a?|abfss?|gs|wasbs?|dbfs|r2):/", re.I)
_SOURCE_EXT = (".py", ".sql")
_OPTION = re.compile(r"^[A-Za-z0-9_.-]+$")


_LIBRARY_DOC = f"{DOC}, 'library block'"
_AUTOLOADER_DOC = "Auto Loader options"
_EXPECTATIONS_DOC = databricks_doc("Manage data quality with pipeline expectations")


def _one(message: str, doc: str) -> list[Finding]:
    return [Finding((), message, doc)]


def level_problem(level: str) -> list[Finding]:
    if level not in PIPELINE_LEVELS:
        return _one(f"{level!r} is not a pipeline permission level; valid: {', '.join(PIPELINE_LEVELS)}",
                    provider_doc("permissions", "Pipelines usage"))
    return []


def alert_problem(alert: str) -> list[Finding]:
    if alert not in ALERTS:
        return _one(f"unknown alert type {alert!r}; valid: {', '.join(ALERTS)}", f"{DOC}, 'notification block'")
    return []


def format_problem(fmt: str) -> list[Finding]:
    if fmt not in AUTOLOADER_FORMATS:
        return _one(f"Auto Loader does not read format {fmt!r}; supported: {', '.join(AUTOLOADER_FORMATS)}",
                    f"{_AUTOLOADER_DOC}, cloudFiles.format")
    return []


def evolution_problem(mode: str) -> list[Finding]:
    if mode not in SCHEMA_EVOLUTION_MODES:
        return _one(f"unknown schema evolution mode {mode!r}; valid: {', '.join(SCHEMA_EVOLUTION_MODES)}",
                    f"{_AUTOLOADER_DOC}, cloudFiles.schemaEvolutionMode")
    return []


def action_problem(action: str) -> list[Finding]:
    if action not in EXPECTATION_ACTIONS:
        return _one(f"unknown expectation action {action!r}; valid: {', '.join(EXPECTATION_ACTIONS)}",
                    _EXPECTATIONS_DOC)
    return []


def expression_problem(expression: str) -> list[Finding]:
    if not expression.strip():
        return _one("an expectation needs a SQL boolean expression, e.g. customer_id IS NOT NULL", _EXPECTATIONS_DOC)
    return []


def option_name_problem(name: str) -> list[Finding]:
    if not _OPTION.match(name):
        return _one(f"option name {name!r} may only contain letters, digits, '_', '-' and '.'", _AUTOLOADER_DOC)
    return []


def library_problem(kind: str, path: str) -> list[Finding]:
    """A pipeline source of kind notebook / file / glob: workspace paths only, of the right kind.

    notebook: a notebook path without extension (a .py/.sql path is a file: use ``file``);
    file: a .py or .sql file; glob: a notebook or file path, or a folder ending in '/**'
    (pipeline.md, "library block")."""
    if "${" in path or "%{" in path:
        return _one(f"{kind} {path!r}: a path may not contain '${{' or '%{{' (Terraform would evaluate it)",
                    _LIBRARY_DOC)
    if _CLOUD_URI.match(path) or path.startswith("/Volumes/"):
        return _one(f"{kind} {path!r}: pipeline sources are workspace files or notebooks, not cloud storage "
                    "or volumes", _LIBRARY_DOC)
    if kind == "notebook" and path.endswith(_SOURCE_EXT):
        return _one(f"notebook {path!r} names a file: use `file: {path}` for a .py/.sql source file, or "
                    "give the notebook path without extension", _LIBRARY_DOC)
    if kind == "file" and not path.endswith(_SOURCE_EXT):
        return _one(f"file {path!r} must be a .py or .sql source file; use `notebook:` for a notebook or "
                    "`glob:` with a folder ending in '/**'", _LIBRARY_DOC)
    if kind == "glob" and "*" in path and not (path.endswith("/**") and "*" not in path[:-3]):
        return _one(f"glob {path!r}: only a trailing '/**' (everything in a folder) is supported", _LIBRARY_DOC)
    if kind not in ("notebook", "file", "glob"):
        return _one(f"unknown library kind {kind!r}; valid: notebook, file, glob", _LIBRARY_DOC)
    return []


def relative(path: str) -> bool:
    """A repository path (resolved by the job rule), not an absolute workspace path."""
    return not path.startswith("/") and not _CLOUD_URI.match(path)



# --------------------------------------------------------------------------- configuration contract


def ingest_key(table: str, field: str) -> str:
    """'mlops.ingest.<table>.<field>', e.g. mlops.ingest.crm_customers.source."""
    return f"{CONFIG_PREFIX}.ingest.{table}.{field}"


def expectations_key(table: str) -> str:
    """'mlops.expectations.<table>': JSON {name: {"expression": ..., "action": ...}}, keys sorted."""
    return f"{CONFIG_PREFIX}.expectations.{table}"


def expectations_json(rules: Mapping[str, tuple[str, str]]) -> str:
    """Name -> (expression, action) as the compact, sorted JSON pipeline code parses."""
    return json.dumps({name: {"action": action, "expression": expression}
                       for name, (expression, action) in sorted(rules.items())},
                      sort_keys=True, separators=(",", ":"))


def options_json(options: Mapping[str, str]) -> str:
    """Reader / cloudFiles options as compact, sorted JSON (mlops.ingest.<table>.options)."""
    return json.dumps(dict(sorted(options.items())), sort_keys=True, separators=(",", ":"))


def reserved_key_problem(key: str) -> list[Finding]:
    doc = f"{DOC}, 'Argument Reference'"
    if not _OPTION.match(key):
        return _one(f"configuration key {key!r} may only contain letters, digits, '_', '-' and '.'", doc)
    if key == CONFIG_PREFIX or key.startswith(CONFIG_PREFIX + "."):
        return _one(f"configuration key {key!r}: keys under '{CONFIG_PREFIX}.' are set by the platform", doc)
    return []

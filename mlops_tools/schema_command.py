"""``mlops schema``: JSON Schema (Draft 2020-12) for environment and project files, for editors.

The schemas are generated from the config models (``platform_config``): descriptions are the
fields' docstrings (``platform_config.field_docs``), defaults are the fields' defaults (a ``default_factory`` is called, so
``naming`` shows ``{style: prefix, ...}``), and ``additionalProperties: false`` comes from the
models' ``extra="forbid"``. Field types that validate in code (Quartz cron, time zones, task
parameters, table names, shorthands) declare their JSON Schema where they are defined, in the
config layer, so nothing here knows a field by name.

Two things the loader does around the models are reflected here, not in the models:

* an environment file has no ``name`` key: the name is the file's stem (the loader refuses the key);
* a project file's ``environments.<env>`` holds overrides that are deep-merged into the project
  (``platform_config.loader.deep_merge``): mappings merge key by key, so an override is a
  *partial* project: every ``<Model>Override`` definition is its model without ``required`` and
  without defaults (leaving a key out inherits it), mappings inside are partial too, list items
  stay complete (a list replaces the project's).

What the schema cannot say (cross-field rules such as "exactly one of volume or url", names of
other files' roles or environments, secret scanning) is checked by ``mlops synth`` with file and
line; the schema is for completion, hover docs and early typos in an editor.

The output is byte-identical across runs (sorted keys, two-space indent, trailing newline) and
is committed in ``schemas/``; ``tests/tooling/test_schema_files.py`` fails when it is stale.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from databricks_spec.diagnostics import Diagnostic, ExitCode
from mlops_tools.errors import OutputError
from platform_config import EnvironmentConfig, ProjectConfig
from platform_config.base import Slug
from platform_config.field_docs import describe_properties

DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Where the schemas are committed, relative to the repository root (``mlops schema``'s default --out).
DEFAULT_DIR = Path("schemas")
ENVIRONMENT_FILE = "environment.schema.json"
PROJECT_FILE = "project.schema.json"
REGENERATE = "mlops schema (or: .venv/bin/python -m mlops_tools schema)"
#: The first line of every file in config/<kind>/ (what `mlops new-project` writes too): editors
#: using yaml-language-server find the schema through it. A comment: the loader ignores it.
FIRST_LINES = {
    "environments": f"# yaml-language-server: $schema=../../{DEFAULT_DIR.as_posix()}/{ENVIRONMENT_FILE}",
    "projects": f"# yaml-language-server: $schema=../../{DEFAULT_DIR.as_posix()}/{PROJECT_FILE}",
}


def schema_comment(kind: str) -> str:
    """The schema comment line for a file in config/environments/ (``kind`` environments) or
    config/projects/ (``projects``), without its newline."""
    return FIRST_LINES[kind]


#: The environment-name pattern: environment names are slugs (platform_config.base.Slug).
ENV_NAME_PATTERN = next(m.pattern for m in Slug.__metadata__ if getattr(m, "pattern", None))


class _Generator(GenerateJsonSchema):
    """pydantic's generator, plus the value of a ``default_factory`` as the field's default."""

    def default_schema(self, schema):  # noqa: ANN001, ANN201 (pydantic's signature)
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            plain = {k: v for k, v in schema.items() if k not in ("default_factory", "default_factory_takes_data")}
            return super().default_schema({**plain, "default": factory()})
        return super().default_schema(schema)


def _as_validated(node: Any) -> Any:
    """Two things pydantic validates that its JSON Schema leaves open, closed the same way:

    * a mapping with constrained keys (``dict[Slug, ...]``) is ``patternProperties``, which lets
      any other key through: the model refuses other keys, so ``additionalProperties: false``;
    * a discriminated union (``backend``) needs its tag (``type``) even where a branch defaults
      it: pydantic cannot pick a branch without it, so the tag is ``required``."""
    if isinstance(node, list):
        return [_as_validated(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_validated(value) for key, value in node.items()}
    if "patternProperties" in out and "additionalProperties" not in out and "properties" not in out:
        out["additionalProperties"] = False
    tag = out.get("discriminator", {}).get("propertyName") if isinstance(out.get("discriminator"), dict) else None
    if tag and "oneOf" in out and tag not in out.get("required", ()):
        out["required"] = sorted({*out.get("required", ()), tag})
    return out


def _model_schema(model: type) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    return _as_validated(describe_properties(schema, model))


def environment_schema() -> dict[str, Any]:
    """The schema of ``config/environments/<env>.yaml``."""
    schema = _model_schema(EnvironmentConfig)
    del schema["properties"]["name"]  # the file's stem; the loader refuses a `name` key
    schema["required"] = [key for key in schema["required"] if key != "name"]
    schema["title"] = "mlops environment file (config/environments/<env>.yaml)"
    schema["description"] = inspect.cleandoc(EnvironmentConfig.__doc__ or "") + (
        " The environment's name is the file's name (config/environments/prod.yaml is 'prod').")
    return {"$schema": DIALECT, **schema}


def _partial(node: Any, defs: dict[str, Any], made: dict[str, str]) -> Any:
    """``node`` as an override: no required keys, no defaults; mappings partial, list items complete."""
    if isinstance(node, list):
        return [_partial(item, defs, made) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("required", "default", "discriminator"):
            continue  # an omitted key inherits; a partial branch cannot be told apart by its tag
        if key == "$ref":
            out[key] = "#/$defs/" + _partial_def(value.rsplit("/", 1)[-1], defs, made)
        elif key == "properties":
            out[key] = {name: _partial(prop, defs, made) for name, prop in value.items()}
        elif key == "patternProperties":
            out[key] = {pattern: _partial(prop, defs, made) for pattern, prop in value.items()}
        elif key in ("additionalProperties", "anyOf", "allOf"):
            out[key] = _partial(value, defs, made)
        elif key == "oneOf":  # partial branches overlap (no required discriminator): any one fits
            out["anyOf"] = _partial(value, defs, made)
        else:  # items, prefixItems, enums, patterns, descriptions...: as written
            out[key] = value
    return out


def _partial_def(name: str, defs: dict[str, Any], made: dict[str, str]) -> str:
    if name not in made:
        made[name] = partial_name = f"{name}Override"
        if partial_name in defs:
            raise ValueError(f"config model name {partial_name!r} collides with the override of {name!r}")
        defs[partial_name] = {}  # reserve first: models may refer to themselves
        defs[partial_name] = _partial(defs[name], defs, made)
    return made[name]


def project_schema() -> dict[str, Any]:
    """The schema of ``config/projects/<project>.yaml``, with its ``environments`` overrides."""
    schema = _model_schema(ProjectConfig)
    defs = schema.setdefault("$defs", {})
    made: dict[str, str] = {}
    root = {k: v for k, v in schema.items() if k not in ("$defs", "title", "description")}
    override = _partial(root, defs, made)
    override["title"] = "ProjectOverride"
    override["description"] = ("Overrides of the project for one environment, deep-merged into it: "
                               "mappings merge key by key, lists and values replace.")
    defs["ProjectOverride"] = override
    schema["properties"]["environments"] = {
        "anyOf": [{"type": "object", "propertyNames": {"pattern": ENV_NAME_PATTERN},
                   "additionalProperties": {"anyOf": [{"$ref": "#/$defs/ProjectOverride"}, {"type": "null"}]}},
                  {"type": "null"}],
        "default": {},
        "description": ("Environment name (a file of config/environments/) -> overrides of any field for "
                        "that environment, deep-merged (like asset-bundle targets), e.g. prod: {enabled: "
                        "false}. Default: none (the project is the same in every environment)."),
    }
    schema["title"] = "mlops project file (config/projects/<project>.yaml)"
    schema["description"] = ("One ML project, defined once for every environment; `environments` "
                             "overrides any field per environment.")
    return {"$schema": DIALECT, **schema}


def render(schema: dict[str, Any]) -> str:
    """The file text: sorted keys, two-space indent, UTF-8, a trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, str]:
    """File name -> text of every schema ``mlops schema`` writes."""
    return {ENVIRONMENT_FILE: render(environment_schema()), PROJECT_FILE: render(project_schema())}


def _output_error(where: Path, summary: str) -> OutputError:
    return OutputError([Diagnostic(str(where), 0, "", summary, detail="choose a writable folder with --out DIR")])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _missing_parents(out: Path) -> list[Path]:
    """``out`` and its parents that do not exist yet, deepest first (removed again on failure)."""
    missing = []
    for folder in (out, *out.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    return missing


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into ``out`` (created if missing), all or nothing: every file is first
    written to a temporary file beside it and only then moved into place, so a failure (read-only
    folder, a file in the way, a full disk) leaves no partial file, no folder it created, and the
    previous files as they were. Unchanged files are not rewritten. Raises OutputError (exit 2)."""
    out = Path(out)
    files = schema_files()
    if out.exists() and not out.is_dir():
        raise _output_error(out, "cannot write the schemas here: it is a file, not a folder")
    created = _missing_parents(out)
    temps: list[tuple[Path, Path]] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in sorted(files.items()):
            target = out / name
            if target.is_dir():
                raise _output_error(target, "cannot write the schema: a folder is in the way")
            try:
                if target.read_text(encoding="utf-8") == text:
                    continue
            except (OSError, UnicodeDecodeError):
                pass
            fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            temps.append((Path(temp), target))
            try:
                handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            except OSError:
                os.close(fd)
                raise
            with handle:
                handle.write(text)
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; a schema is not
        for temp, target in temps:
            os.replace(temp, target)
        temps, created = [], []
    except OSError as exc:
        raise _output_error(out, f"cannot write the schemas: {exc.strerror or exc}") from None
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        for folder in created:  # only folders this call made, deepest first
            try:
                folder.rmdir()
            except OSError:
                break
    return [out / name for name in sorted(files)]


def stale_files(out: Path) -> list[str]:
    """Names of the schema files in ``out`` that are missing or differ from the generated text."""
    stale = []
    for name, text in sorted(schema_files().items()):
        try:
            same = (Path(out) / name).read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            stale.append(name)
    return stale


def cmd_schema(args: argparse.Namespace) -> int:
    if args.check:
        stale = stale_files(args.out)
        for name in stale:
            print(f"{args.out / name}: missing or stale; regenerate with: {REGENERATE}")
        return ExitCode.CHECK_FAILED if stale else ExitCode.OK
    for path in write_schemas(args.out):
        print(path)
    return ExitCode.OK


def register(registry) -> None:  # noqa: ANN001 (mlops_tools.registry.Registry)
    parser = registry.add("schema", cmd_schema,
                          help="write JSON Schema for environment and project files (editor support)")
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, metavar="DIR",
                        help=f"folder to write {ENVIRONMENT_FILE} and {PROJECT_FILE} into (default: schemas)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a file in --out is missing or differs")

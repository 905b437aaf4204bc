"""Editor support: the JSON Schemas in schemas/ are current, valid Draft 2020-12, accept every
shipped and documented config, and reject what the loader rejects (and accept what it accepts)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from mlops_tools import schema_command as schema_tool
from platform_config import ConfigError, load_platform
from platform_config.yaml_source import load_yaml, load_yaml_text
from support import ROOT

SCHEMAS = ROOT / "schemas"
KINDS = {"environments": schema_tool.ENVIRONMENT_FILE, "projects": schema_tool.PROJECT_FILE}


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / KINDS[kind]).read_text()))


def schema_errors(kind: str, data) -> list[str]:
    errors = sorted(validator(kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors]


# ----------------------------------------------------------------------------- committed and stable

def test_committed_schemas_are_what_mlops_schema_generates() -> None:
    for name, text in schema_tool.schema_files().items():
        committed = SCHEMAS / name
        assert committed.is_file() and committed.read_text(encoding="utf-8") == text, (
            f"schemas/{name} is stale (a config model or field docstring changed): regenerate it with "
            f"`{schema_tool.REGENERATE}` and commit schemas/")


def test_output_is_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "mlops_tools", "schema", "--out", str(out)], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == sorted(KINDS.values())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_draft_2020_12_and_closed(kind: str) -> None:
    schema = json.loads((SCHEMAS / KINDS[kind]).read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    models = [("<root>", schema), *schema["$defs"].items()]
    open_models = [name for name, d in models if "properties" in d and d.get("additionalProperties") is not False]
    assert open_models == []  # extra="forbid" in every config model
    assert len(models) > 20


def test_descriptions_and_defaults_come_from_the_models() -> None:
    env = json.loads((SCHEMAS / KINDS["environments"]).read_text())
    props = env["properties"]
    assert "name" not in props  # the file's stem; the loader refuses the key
    assert set(env["required"]) == {"workspace", "cloud", "catalog"}
    assert props["pause_schedules"]["default"] is True
    assert props["pause_schedules"]["description"].startswith("Whether job and monitor schedules")
    assert props["naming"]["default"] == {"style": "prefix", "token": None, "separator": "-"}  # a default_factory
    assert env["$defs"]["NamingConfig"]["properties"]["style"]["enum"] == ["prefix", "suffix", "none"]
    project = json.loads((SCHEMAS / KINDS["projects"]).read_text())
    assert set(project["required"]) == {"name", "owner"}
    assert list(project["properties"]["schemas"]["default"]) == ["models"]  # {models: {}} with its defaults
    assert "environments" in project["properties"]
    override = project["$defs"]["ProjectOverride"]
    assert "required" not in override and "environments" not in override["properties"]
    assert override["additionalProperties"] is False


# ----------------------------------------------------------------------------- the shipped files

SKIP_DIRS = {".git", "node_modules", "cdktf.out", "tests", "__pycache__"}


def config_files_in_repo() -> list[Path]:
    """Every <...>/environments/*.yaml and <...>/projects/*.yaml of the repository (config/,
    examples/, the project template's files), outside virtualenvs, node_modules, output and tests."""
    found = []
    for folder, dirs, files in os.walk(ROOT):  # does not follow the .venv / node_modules symlinks
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv"))
        if Path(folder).name in KINDS:
            found += [Path(folder) / f for f in sorted(files) if f.endswith((".yaml", ".yml"))]
    return sorted(found)


def shipped_yaml() -> list[Path]:
    """The config files users get as they are: config/ and examples/ (validated as written)."""
    files = sorted((ROOT / "config").glob("*/*.yaml"))
    files += sorted(p for p in config_files_in_repo() if p.relative_to(ROOT).parts[0] == "examples")
    return files


def kind_of(path: Path) -> str:
    kind = path.parent.name
    assert kind in KINDS, f"{path}: not under environments/ or projects/"
    return kind


def test_there_are_shipped_configs() -> None:
    assert {kind_of(p) for p in shipped_yaml()} == set(KINDS)
    assert len(shipped_yaml()) >= 4


@pytest.mark.parametrize("path", config_files_in_repo(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_config_names_its_schema_on_the_first_line(path: Path) -> None:
    """Also a template's config files: written to config/<kind>/, the relative path is right."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema_tool.schema_comment(kind_of(path)), f"{path}: first line must be the schema comment"
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match and (ROOT / "config" / kind_of(path) / match.group(1)).resolve() == SCHEMAS / KINDS[kind_of(path)]


@pytest.mark.parametrize("path", shipped_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_config_is_valid_against_its_schema(path: Path) -> None:
    data, _ = load_yaml(path, str(path))
    assert schema_errors(kind_of(path), data) == []


def test_the_schema_comment_changes_nothing_the_loader_sees() -> None:
    for path in shipped_yaml():
        text = path.read_text(encoding="utf-8")
        without = "\n".join(text.splitlines()[1:]) + "\n"
        assert load_yaml_text(text, "a")[0] == load_yaml_text(without, "a")[0]


# ----------------------------------------------------------------------------- documented snippets

def yaml_blocks(path: Path) -> list[tuple[str, str]]:
    """(file:line, text) of every ```yaml block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}", m.group(1))
            for m in re.finditer(r"```yaml\n(.*?)```", text, re.S)]


def documented_snippets() -> list[tuple[str, str, dict, bool]]:
    """(where, kind, data, whole document) of every YAML block in README.md and docs/*.md whose
    top-level keys are all keys of an environment or a project file. A whole document has every
    required key; a fragment (e.g. `serving:` in docs/serving.md) is checked without them.
    Blocks with an elision (``...``) are illustrations, not config as written."""
    env_keys = set(json.loads((SCHEMAS / KINDS["environments"]).read_text())["properties"])
    project_keys = set(json.loads((SCHEMAS / KINDS["projects"]).read_text())["properties"])
    out = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for where, body in yaml_blocks(doc):
            if "..." in body:
                continue  # an elided example (`spark_conf: {...}`), not config as written
            try:
                data, _ = load_yaml_text(body, where)
            except ConfigError:
                continue  # e.g. two files side by side in one block (docs/governance.md)
            if not isinstance(data, dict) or not data:
                continue
            for kind, keys in (("environments", env_keys), ("projects", project_keys)):
                if set(data) <= keys:
                    required = set(json.loads((SCHEMAS / KINDS[kind]).read_text())["required"])
                    out.append((where, kind, data, required <= set(data)))
    return out


def fragment_errors(kind: str, data: dict) -> list[str]:
    schema = json.loads((SCHEMAS / KINDS[kind]).read_text())
    schema.pop("required")
    errors = Draft202012Validator(schema).iter_errors(data)
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors]


def test_the_readme_documents_a_whole_environment_and_a_whole_project() -> None:
    whole = {(where.split(":")[0], kind) for where, kind, _, is_whole in documented_snippets() if is_whole}
    assert {("README.md", "environments"), ("README.md", "projects")} <= whole


def test_documented_schema_comments_are_the_right_ones() -> None:
    """A snippet that names a schema names the one of its kind (README's new environment does)."""
    blocks = [(where, body) for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
              for where, body in yaml_blocks(doc)]
    named = {}
    for where, body in blocks:
        first = body.splitlines()[0] if body.strip() else ""
        if first.startswith("# yaml-language-server:") and set(load_yaml_text(body, where)[0] or {}) - {"name"}:
            kind = "projects" if "name" in (load_yaml_text(body, where)[0] or {}) else "environments"
            named[where] = (first, schema_tool.schema_comment(kind))
    assert [where for where, (first, expected) in named.items() if first != expected] == []
    readme_env = [w for w, (_, expected) in named.items()
                  if w.startswith("README.md") and expected == schema_tool.schema_comment("environments")]
    assert readme_env, "README's 'Add an environment' document starts with the schema comment"


def test_every_documented_snippet_is_valid_against_the_schema() -> None:
    snippets = documented_snippets()
    assert len(snippets) >= 20  # README's two documents and the docs' fragments
    by_block: dict[str, list[list[str]]] = {}
    for where, kind, data, whole in snippets:
        errors = schema_errors(kind, data) if whole else fragment_errors(kind, data)
        by_block.setdefault(where, []).append(errors)
    # a block that fits both kinds (e.g. `tags:`) must be valid as at least one of them
    invalid = {where: results for where, results in by_block.items() if all(results)}
    assert invalid == {}


# ----------------------------------------------------------------------------- schema == loader

MINIMAL_PROJECT = "name: sample\nowner: sample-team@example.com\n"
MONITOR = ("monitors:\n  m:\n    table: t\n    time_series: {timestamp_col: ts, granularities: ['1 day']}\n"
           "    schedule: {quartz_cron_expression: '%s', timezone_id: %s}\n")
ENDPOINT = "serving:\n  endpoints:\n    main:\n      entities:\n        champion: {version: %s}\n"


def project(extra: str = "") -> str:
    return MINIMAL_PROJECT + extra


def environment(change=None, extra: str = "") -> str:
    """A new environment 'qa': staging's file with its own catalog, changed by ``change(data)``."""
    import yaml

    data, _ = load_yaml_text((ROOT / "config" / "environments" / "staging.yaml").read_text(), "staging.yaml")
    data["catalog"]["name"] = "mlops_qa"
    data["require_job_run_as"] = False  # the shipped project sets run_as only where staging and prod need it
    if change:
        change(data)
    return yaml.safe_dump(data, sort_keys=False) + extra


#: (name, kind, document, key): documents the loader refuses; both the loader's problem and the
#: schema's error name ``key`` (a dotted key path; the schema's is its JSON pointer with dots).
#: Where they differ, ``key`` is (loader's, schema's): the loader names an override's key by its
#: place in the merged project, at the override's line.
INVALID = [
    ("unknown key", "projects", project("colour: red\n"), "colour"),
    ("unknown nested key", "projects", project("model: {nmae: x}\n"), "model"),
    ("misspelled key in an override", "projects", project("environments:\n  prod: {enabeld: false}\n"),
     ("enabeld", "environments.prod.enabeld")),
    ("environments inside an override", "projects", project("environments:\n  prod: {environments: {}}\n"),
     ("environments", "environments.prod.environments")),
    ("wrong type", "projects", project("description: [a, b]\n"), "description"),
    ("wrong type in an override", "projects", project("environments:\n  prod: {tags: [a]}\n"),
     ("tags", "environments.prod.tags")),
    ("environments not a mapping", "projects", project("environments: [prod]\n"), "environments"),
    ("missing required field", "projects", "name: sample\n", ""),
    ("bad name", "projects", "name: Sample Project\nowner: a@example.com\n", "name"),
    ("bad mapping key", "projects", project("schemas: {'Bad Key': {}}\n"), "schemas"),
    ("bad enum", "projects", project("experiment:\n  permissions: {readers: CAN_DANCE}\n"),
     "experiment.permissions.readers"),
    ("bad model version", "projects", project(ENDPOINT % "latest"), "serving.endpoints.main.entities.champion.version"),
    ("unix cron", "projects", project(MONITOR % ("0 6 * * *", "UTC")), "monitors.m.schedule.quartz_cron_expression"),
    ("cron without ?", "projects", project(MONITOR % ("0 0 6 * * *", "UTC")),
     "monitors.m.schedule.quartz_cron_expression"),
    ("cron with two ?", "projects", project(MONITOR % ("0 0 6 ? * ?", "UTC")),
     "monitors.m.schedule.quartz_cron_expression"),
    ("bad time zone", "projects", project(MONITOR % ("0 0 6 * * ?", "'Mars Base/One'")),
     "monitors.m.schedule.timezone_id"),
    ("name in an environment file", "environments", "name: qa\n" + environment(), "name"),
    ("missing catalog", "environments", environment(lambda d: d.pop("catalog")), ""),
    ("unknown cloud", "environments", environment(lambda d: d.update(cloud="ibm")), "cloud"),
    ("bad naming style", "environments", environment(lambda d: d.update(naming={"style": "middle"})), "naming.style"),
    ("backend without its type", "environments", environment(lambda d: d.update(backend={"path": "qa.tfstate"})),
     "backend"),
    ("unknown backend type", "environments", environment(lambda d: d.update(backend={"type": "consul"})), "backend"),
    ("bad auth type", "environments",
     environment(lambda d: d["workspace"].update(auth_type="password")), "workspace.auth_type"),
]

#: (name, kind, document): documents the loader accepts.
VALID = [
    ("minimal project", "projects", project()),
    ("partial overrides", "projects", project("environments:\n  prod: {enabled: false}\n"
                                              "  dev: {model: {comment: dev only}}\n  staging:\n")),
    ("null environments", "projects", project("environments:\n")),
    ("pending model version", "projects", project(ENDPOINT % "pending")),
    ("null model version", "projects", project(ENDPOINT % "null")),
    ("cron with a year and names", "projects",
     project(MONITOR % ("0 30 7 ? * mon-fri 2027", "America/Argentina/Buenos_Aires"))),
    ("cron with L, W and #", "projects", project(MONITOR % ("0 0 12 LW * ?", "Etc/GMT+5"))),
    ("cron with #", "projects", project(MONITOR % ("0 0 12 ? JAN-MAR 2#1", "UTC"))),
    ("merge keys", "projects", project("schemas:\n  models: &base {comment: shared}\n"
                                       "  features: {<<: *base, name: sample_feats}\n")),
    ("a new environment", "environments", environment()),
    ("s3 backend", "environments",
     environment(lambda d: d.update(backend={"type": "s3", "bucket": "state", "region": "eu-west-1"}))),
    ("local backend by type only", "environments", environment(lambda d: d.update(backend={"type": "local"}))),
]

#: (name, kind, document): the loader accepts these spellings, the schema offers only the
#: canonical one (editors then suggest it); listed so that the difference is a decision.
CANONICAL_ONLY = [
    ("quoted version number", "projects", project(ENDPOINT % "'3'")),
    ("upper-case pending", "projects", project(ENDPOINT % "PENDING")),
]


def _write_sample(config: Path, kind: str, text: str) -> Path:
    folder = config / kind
    path = folder / ("qa.yaml" if kind == "environments" else "sample.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def loader_accepts(config: Path, kind: str, text: str) -> tuple[bool, str]:
    _write_sample(config, kind, text)
    try:
        load_platform(config)
    except ConfigError as exc:
        return False, "\n".join(str(p) for p in exc.problems)
    finally:
        for folder in KINDS:
            for extra in ("qa.yaml", "sample.yaml"):
                (config / folder / extra).unlink(missing_ok=True)
    return True, ""


def schema_accepts(kind: str, text: str) -> tuple[bool, list[str]]:
    data, _ = load_yaml_text(text, "sample.yaml")
    errors = schema_errors(kind, data)
    return not errors, errors


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("schema") / "config"
    shutil.copytree(ROOT / "config", dest)
    return dest


@pytest.mark.parametrize("name,kind,text,key", INVALID, ids=[c[0] for c in INVALID])
def test_schema_and_loader_both_reject(config: Path, name: str, kind: str, text: str, key) -> None:
    loader_key, key = key if isinstance(key, tuple) else (key, key)
    loaded, problems = loader_accepts(config, kind, text)
    assert not loaded, f"{name}: the loader accepted it"
    assert f" {loader_key}" in problems or not key, f"{name}: the loader refused something else:\n{problems}"
    valid, errors = schema_accepts(kind, text)
    assert not valid, f"{name}: the schema accepted what the loader refuses:\n{problems}"
    paths = [error.split(": ", 1)[0].replace("/", ".") for error in errors]
    assert any(path.startswith(key) or key.startswith(path) for path in paths), (name, errors)


@pytest.mark.parametrize("name,kind,text", CANONICAL_ONLY, ids=[c[0] for c in CANONICAL_ONLY])
def test_schema_offers_only_the_canonical_spelling(config: Path, name: str, kind: str, text: str) -> None:
    assert loader_accepts(config, kind, text)[0]
    assert not schema_accepts(kind, text)[0]


@pytest.mark.parametrize("name,kind,text", VALID, ids=[c[0] for c in VALID])
def test_schema_and_loader_both_accept(config: Path, name: str, kind: str, text: str) -> None:
    loaded, problems = loader_accepts(config, kind, text)
    assert loaded, f"{name}: the loader refused it:\n{problems}"
    valid, errors = schema_accepts(kind, text)
    assert valid, f"{name}: the schema refused what the loader accepts: {errors}"

"""``mlops new-project NAME``: a new ML project from the template, ready to synth and plan.

Writes two things, both or neither:

- ``<config>/projects/NAME.yaml``: the project's config (every job type the platform builds,
  the ingestion pipeline, the predictions monitor that feeds retraining), with
  ``code: {source: workspace}`` so that the project plans offline with nothing external;
- ``<repo>/projects/NAME/`` (``<repo>`` is the parent of ``--config``): the ML code its tasks
  run, with tests that need neither Spark nor MLflow.

The template lives in ``mlops_tools/templates/project`` (package data, so the installed
console script finds it). Every template file ends in ``.tmpl`` (dropped when rendered; it
also keeps the template's Python out of the product's import checks). Rendering is plain
text substitution of ``__PROJECT__`` (``__UC__``: the name as Unity Catalog names start,
dashes as underscores) and ``__OWNER__``: the name is checked first with the
config layer's own project-name rule (``platform_config.base.Slug``), so nothing a user types
reaches Terraform as template syntax.

Order of work, so that nothing is half-written: the name and the targets are checked; the
existing config must load; the project is rendered into a staging folder next to the targets
(same file system) together with a copy of the config and hard links of the existing projects'
code folders, and that copy is loaded with the new project (every derived name and clash with
another project checked, task paths checked against the new code); only then are the code
folder and the config file moved into place. Any refusal is exit 2 with nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from databricks_spec.diagnostics import Diagnostic, ExitCode, MlopsError
from mlops_tools.errors import OutputError, UsageError
from mlops_tools.registry import Registry

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "project"
CONFIG_TEMPLATE = "config.yaml.tmpl"
CODE_TEMPLATE = "code"
SUFFIX = ".tmpl"
PROJECTS_DIR = "projects"
"""Code folders live in <repo>/projects/<name> (the ``code.folder`` default)."""
DEFAULT_RUN_AS = "job_runners"
CODE_SOURCE = ("code:\n  source: workspace          # folder: projects/__PROJECT__ (the default)\n"
               "  exclude: [\"tests/*\"]       # the unit tests stay in the repository")
OWNER = re.compile(r"^[A-Za-z0-9._+@ -]{1,254}$")
_PLACEHOLDER = re.compile(r"__(PROJECT|UC|OWNER|CODE)__")


class NewProjectError(MlopsError):
    """The project cannot be created as asked: exit 2, nothing written."""

    exit_code = ExitCode.BAD_INPUT

    @property
    def footer(self) -> str:
        return "nothing was written."


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a project name (the config layer's rule), or None."""
    from pydantic import TypeAdapter, ValidationError

    from platform_config.base import Slug

    try:
        TypeAdapter(Slug).validate_python(name)
    except ValidationError:
        return ("must start with a lowercase letter and use only lowercase letters, digits, '_' and '-' "
                "(at most 63 characters), e.g. fraud or churn-eu")
    return None


def render_text(text: str, values: dict[str, str]) -> str:
    """``text`` with every ``__KEY__`` of ``values`` replaced; an unknown placeholder is a bug."""
    def sub(match: re.Match) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER.sub(sub, text)


def uc_prefix(name: str) -> str:
    """How the project's schema names start (fraud-eu -> fraud_eu_features): comments only."""
    return name.replace("-", "_")


def environments_section(run_as: dict[str, str]) -> str:
    """The ``environments:`` overrides: run_as for the jobs and the pipeline where the
    environment requires it (``require_job_run_as``)."""
    if not run_as:
        return ""
    lines = ["# Environments that require a run identity (require_job_run_as) run the jobs and the",
             "# pipeline as this role (one service principal there).", "environments:"]
    for env, role in sorted(run_as.items()):
        lines += [f"  {env}:", "    jobs:", f"      run_as: {role}", "    pipelines:", "      ingest:",
                  f"        run_as: {role}"]
    return "\n".join(lines) + "\n"


def render_config(name: str, owner: str, run_as: dict[str, str]) -> str:
    values = {"PROJECT": name, "UC": uc_prefix(name), "OWNER": json.dumps(owner),
              "CODE": render_text(CODE_SOURCE, {"PROJECT": name})}
    text = render_text((TEMPLATE_DIR / CONFIG_TEMPLATE).read_text(encoding="utf-8"), values)
    return text + environments_section(run_as)


def code_files(name: str) -> dict[str, str]:
    """Relative path below projects/NAME -> rendered text, for every file of the code template."""
    root = TEMPLATE_DIR / CODE_TEMPLATE
    files = {}
    for path in sorted(root.rglob("*" + SUFFIX)):
        relative = path.relative_to(root).as_posix()[: -len(SUFFIX)]
        files[relative] = render_text(path.read_text(encoding="utf-8"), {"PROJECT": name, "UC": uc_prefix(name)})
    if not files:
        raise RuntimeError(f"the project template at {root} has no files (a broken installation)")
    return files


def _shown(path: Path) -> str:
    from platform_config.discovery import display_path

    return display_path(path)


def _check_free(name: str, config_dir: Path, code_dir: Path) -> None:
    taken = [p for p in (config_dir / PROJECTS_DIR / f"{name}.yaml", config_dir / PROJECTS_DIR / f"{name}.yml",
                         code_dir) if p.exists() or p.is_symlink()]
    if taken:
        raise NewProjectError([Diagnostic(_shown(p), 0, "", f"project '{name}' exists already: {_shown(p)}",
                                          detail="choose another name, or edit the existing project")
                               for p in taken])


def _load(config_dir: Path):
    """The existing config, loaded and checked: it must be valid before a project is added
    (its own errors are reported as they are)."""
    from resolution.checks import load_checked

    return load_checked(config_dir)


def _run_as(platform, run_as: str) -> dict[str, str]:
    """Environment -> run_as role, for the environments that require one."""
    return {env: run_as for env, cfg in platform.environments.items() if cfg.require_job_run_as}


def _code_folders(platform) -> set[str]:
    """The repository-relative code folders the existing projects deploy from (workspace and
    volume sources read them when the config is loaded)."""
    return {t.project.code.folder_for(t.project.name) for targets in platform.targets.values() for t in targets
            if t.project.code.source != "git"}


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # the staging folder is on the repository's file system: no data copied
    except OSError:
        shutil.copy2(src, dst)


def _relocated(diagnostics: list[Diagnostic], staged: Path, real: Path) -> list[Diagnostic]:
    """Diagnostics of the staged config copy, naming the user's config folder instead."""
    from dataclasses import replace

    prefixes = sorted({str(staged), _shown(staged)}, key=len, reverse=True)

    def fix(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, _shown(real))
        return text

    return [replace(d, file=fix(d.file), summary=fix(d.summary), detail=fix(d.detail)) for d in diagnostics]


def _validate(stage: Path, config_dir: Path, repo: Path, folders: set[str], name: str, config_text: str) -> None:
    """Load a copy of the config with the new project in it, laid out as the repository will be:
    the new code beside it, and the existing projects' code folders (hard links) where they are."""
    from platform_config.errors import ConfigError
    from resolution.checks import load_checked

    staged_config = stage / "config"
    shutil.copytree(config_dir, staged_config, symlinks=False)
    (staged_config / PROJECTS_DIR / f"{name}.yaml").write_text(config_text, encoding="utf-8")
    for folder in sorted(folders):
        if (repo / folder).is_dir() and not (stage / folder).exists():
            shutil.copytree(repo / folder, stage / folder, symlinks=True, copy_function=_link_or_copy)
    try:
        load_checked(staged_config)
    except ConfigError as exc:
        found = _relocated(list(exc.diagnostics), staged_config, config_dir)
        head = Diagnostic(summary=f"the generated project '{name}' does not validate against {_shown(config_dir)}",
                          detail=f"a name derived from '{name}' may be too long or clash with another project's, "
                                 "or the run_as role may not exist in an environment that requires one "
                                 "(--run-as ROLE)")
        raise NewProjectError([head, *found]) from None


def create_project(name: str, config_dir: Path, *, owner: str | None = None,
                   run_as: str = DEFAULT_RUN_AS) -> tuple[Path, Path]:
    """Write the project; return (config file, code folder). Raises NewProjectError (exit 2)
    with nothing written."""
    if (problem := name_problem(name)) is not None:
        raise UsageError.of(f"invalid project name {name!r}: {problem}")
    owner = owner if owner is not None else f"{name}-team@example.com"
    if not OWNER.match(owner):
        raise UsageError.of(f"invalid --owner {owner!r}: an e-mail address or group name (letters, digits, "
                            "space and ._+@-)")
    if (problem := name_problem(run_as)) is not None:
        raise UsageError.of(f"invalid --run-as {run_as!r}: a role key {problem}")
    config_dir = Path(config_dir)
    if not (config_dir / PROJECTS_DIR).is_dir():
        raise UsageError.of(f"{_shown(config_dir)} is not a config folder: it has no {PROJECTS_DIR}/ folder",
                            detail="pass --config DIR")
    repo = config_dir.resolve().parent
    code_dir = repo / PROJECTS_DIR / name
    config_file = config_dir / PROJECTS_DIR / f"{name}.yaml"
    _check_free(name, config_dir, code_dir)
    platform = _load(config_dir)
    config_text = render_config(name, owner, _run_as(platform, run_as))
    files = code_files(name)
    try:
        stage = Path(tempfile.mkdtemp(prefix=".mlops-new-project-", dir=repo))
    except OSError as exc:
        raise OutputError.of(f"cannot write into {_shown(repo)}: {exc.strerror or exc}") from None
    try:
        staged_code = stage / PROJECTS_DIR / name
        for relative, text in files.items():
            target = staged_code / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _validate(stage, config_dir, repo, _code_folders(platform), name, config_text)
        _check_free(name, config_dir, code_dir)  # nothing appeared meanwhile
        code_dir.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged_code, code_dir)
        try:
            os.rename(stage / "config" / PROJECTS_DIR / f"{name}.yaml", config_file)
        except BaseException:  # also Ctrl-C between the two moves: both or neither
            shutil.rmtree(code_dir, ignore_errors=True)
            raise
    except OSError as exc:
        raise OutputError.of(f"cannot write the project: {exc.strerror or exc}",
                             file=_shown(Path(exc.filename)) if exc.filename else "") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return config_file, code_dir


def cmd_new_project(args: argparse.Namespace) -> int:
    config_file, code_dir = create_project(args.name, args.config, owner=args.owner, run_as=args.run_as)
    code = _shown(code_dir)
    print(f"created {_shown(config_file)}\ncreated {code}/ ({len(code_files(args.name))} files)")
    print("next:\n"
          f"  python -m pytest {code}/tests     # the ML code's unit tests (no Spark)\n"
          f"  mlops synth && mlops plan          # the new project in every environment, planned offline")
    sys.stdout.flush()
    return ExitCode.OK


def register(registry: Registry) -> None:
    parser = registry.add("new-project", cmd_new_project, shared=("config",),
                          help="create a new ML project (config and runnable ML code) from the template",
                          description="Write <config>/projects/NAME.yaml and projects/NAME/ (ML code for "
                                      "every job type, with tests): the new project synthesizes and plans "
                                      "offline straight away. Refuses (exit 2, nothing written) an invalid "
                                      "name or one that exists.")
    parser.add_argument("name", metavar="NAME", help="project name: lowercase letters, digits, '_' and '-'")
    parser.add_argument("--owner", metavar="OWNER", default=None,
                        help="owning team's e-mail or group (default: NAME-team@example.com)")
    parser.add_argument("--run-as", metavar="ROLE", default=DEFAULT_RUN_AS,
                        help="role the jobs and the pipeline run as where an environment requires one "
                             f"(require_job_run_as; default: {DEFAULT_RUN_AS})")

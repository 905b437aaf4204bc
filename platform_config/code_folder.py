"""Read a project's code folder for delivery (``code.source`` workspace or volume), safely.

The folder is untrusted input like the YAML: it is walked in sorted order, bounded (file
count, file size, total size, depth), never follows a symlink out of the folder (nor a
symlinked folder at all), refuses special files and names Terraform or the workspace
cannot take, and every problem names the config file, line and key (``code.folder``, or the
job task that references a missing file) with exit code 2.

* source workspace: every regular file below the folder, except the always-excluded
  names (hidden files and folders, top-level dist/ and build/, __pycache__/, *.pyc,
  *.egg-info/) and ``code.exclude``. A file whose first line is the Databricks notebook
  source header (``# Databricks notebook source`` in .py/.r, ``-- Databricks notebook
  source`` in .sql, ``// Databricks notebook source`` in .scala, the format Databricks
  exports notebooks in) is a notebook: its workspace path drops the extension, and
  notebook tasks name it without one (``training/notebooks/Train``). Every other file is a
  workspace file (python_script tasks name it with its extension).
* source volume: the wheels ``<folder>/dist/*.whl`` (``python -m build <folder>`` writes
  them); the file name gives the distribution and version (PEP 427).

The repository root is the folder holding the config folder (``config/projects/x.yaml`` ->
``.``); code folders are relative to it. This module reads files and knows locations, so
it lives in the config layer; resolution.code turns the result into workspace paths.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from platform_config.code import folder_problem
from platform_config.errors import Problem, key_path
from platform_config.jobs import task_codes

#: Bounds of one workspace deployment (the provider: workspace_file and notebook sources "must
#: not exceed a few megabytes"; content_base64 is kept in the Terraform state).
MAX_FILES = 1000
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 16
#: One wheel, uploaded as databricks_file content (the provider's limit is 5 GiB; Terraform keeps
#: content_base64 in its state, so we stay far below).
MAX_WHEEL_BYTES = 32 * 1024 * 1024
MAX_WHEELS = 20

#: Always left out of a workspace deployment (names anywhere / only at the folder's top).
EXCLUDED_NAMES = ("__pycache__", "*.pyc", "*.egg-info")
EXCLUDED_TOP = ("dist", "build")

#: The Databricks notebook source header, by extension -> (header, notebook language).
NOTEBOOK_HEADERS = {
    ".py": ("# Databricks notebook source", "PYTHON"),
    ".r": ("# Databricks notebook source", "R"),
    ".sql": ("-- Databricks notebook source", "SQL"),
    ".scala": ("// Databricks notebook source", "SCALA"),
}

#: PEP 427 wheel file names: {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl
WHEEL_NAME = re.compile(r"^(?P<dist>[A-Za-z0-9_.]+)-(?P<version>[A-Za-z0-9_.!+]+)(-\d[^-]*)?"
                        r"-[^-]+-[^-]+-[^-]+\.whl$")
_SAFE_NAME = re.compile(r"^[^\x00-\x1f\x7f/\\]+$")


def build_command(folder: str) -> str:
    """The command that builds the wheels of ``folder`` (named in the missing-wheel message)."""
    return f"python -m build {folder}"


def normalize_distribution(name: str) -> str:
    """PEP 503 normalization: 'Churn_ML.core' -> 'churn-ml-core'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class CodeFile:
    """One file deployed to the workspace."""

    relative: str
    """Path below the code folder, '/'-separated ('training/notebooks/Train.py')."""
    kind: Literal["file", "notebook"]
    language: str | None
    """PYTHON, SQL, SCALA or R for notebooks; None for files."""
    content: bytes = field(repr=False, compare=False)
    md5: str = ""
    """Hex MD5 of ``content`` (the content hash each resource carries)."""

    @property
    def workspace_relative(self) -> str:
        """Its path below the code root: notebooks without their extension."""
        if self.kind == "notebook":
            return self.relative.rsplit(".", 1)[0]
        return self.relative

    @property
    def content_base64(self) -> str:
        return base64.b64encode(self.content).decode("ascii")


@dataclass(frozen=True)
class WheelFile:
    """One built wheel of <folder>/dist."""

    file_name: str
    distribution: str
    """PEP 503-normalized distribution name."""
    version: str
    content: bytes = field(repr=False, compare=False)
    md5: str = ""

    @property
    def content_base64(self) -> str:
        return base64.b64encode(self.content).decode("ascii")


@dataclass(frozen=True)
class CodeFolder:
    """What a project's code folder delivers (sorted by path)."""

    folder: str
    """The folder as configured (repository-relative)."""
    files: tuple[CodeFile, ...] = ()
    wheels: tuple[WheelFile, ...] = ()

    def notebook(self, path: str) -> CodeFile | None:
        """The notebook a notebook task's relative path names (without extension; with one works too)."""
        for f in self.files:
            if f.kind == "notebook" and path in (f.workspace_relative, f.relative):
                return f
        return None

    def file(self, path: str) -> CodeFile | None:
        """The workspace file a python_script task's (or pipeline file library's) relative path names."""
        return next((f for f in self.files if f.kind == "file" and f.relative == path), None)

    def wheel(self, package: str) -> list[WheelFile]:
        """The wheels of distribution ``package`` (PEP 503-normalized comparison)."""
        want = normalize_distribution(package)
        return [w for w in self.wheels if w.distribution == want]


class _Walk:
    def __init__(self, root_real: str, exclude: tuple[str, ...]):
        self.root_real = root_real
        self.exclude = exclude
        self.files: list[tuple[str, str]] = []  # (relative, real path)
        self.errors: list[str] = []
        self.total = 0

    def excluded(self, relative: str, name: str, top: bool, is_dir: bool) -> bool:
        if name.startswith("."):
            return True
        if top and is_dir and name in EXCLUDED_TOP:
            return True
        if any(fnmatch.fnmatchcase(name, p) for p in EXCLUDED_NAMES):
            return True
        return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p) for p in self.exclude)

    def walk(self, directory: str, prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.errors.append(f"{prefix or '.'}: more than {MAX_DEPTH} nested folders")
            return
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self.errors.append(f"{prefix or '.'}: cannot read folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if len(self.errors) >= 20:
                return
            name = entry.name
            relative = f"{prefix}{name}"
            if not _SAFE_NAME.match(name):
                self.errors.append(f"{relative!r}: file names must not contain control characters or backslashes")
                continue
            try:
                is_link = entry.is_symlink()
                real = os.path.realpath(entry.path)
                if is_link and os.path.commonpath([self.root_real, real]) != self.root_real:
                    if not self.excluded(relative, name, not prefix, False):
                        self.errors.append(f"{relative}: symlink points outside the code folder")
                    continue
                mode = os.stat(entry.path).st_mode
            except (OSError, ValueError) as exc:
                self.errors.append(f"{relative}: cannot read: {getattr(exc, 'strerror', None) or exc}")
                continue
            is_dir = stat.S_ISDIR(mode)
            if self.excluded(relative, name, not prefix, is_dir):
                continue
            if is_dir:
                if is_link:
                    self.errors.append(f"{relative}: symlinked folders are not followed; move the files here")
                    continue
                self.walk(entry.path, relative + "/", depth + 1)
                continue
            if not stat.S_ISREG(mode):
                self.errors.append(f"{relative}: not a regular file (a FIFO, device or socket)")
                continue
            size = os.stat(real).st_size
            if size > MAX_FILE_BYTES:
                self.errors.append(f"{relative}: {size} bytes is more than the {MAX_FILE_BYTES} bytes a workspace "
                                   "file may have here; exclude it (code.exclude) or ship it in a wheel")
                continue
            self.total += size
            if len(self.files) >= MAX_FILES:
                self.errors.append(f"more than {MAX_FILES} files to deploy; narrow the folder or use code.exclude")
                return
            if self.total > MAX_TOTAL_BYTES:
                self.errors.append(f"more than {MAX_TOTAL_BYTES} bytes to deploy; narrow the folder or use "
                                   "code.exclude")
                return
            self.files.append((relative, real))


def _kind(relative: str, content: bytes) -> tuple[str, str | None]:
    ext = os.path.splitext(relative)[1].lower()
    header = NOTEBOOK_HEADERS.get(ext)
    if header is not None:
        first = content.split(b"\n", 1)[0].rstrip(b"\r").strip()
        if first == header[0].encode():
            return "notebook", header[1]
    return "file", None


def _read(path: str, limit: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"larger than {limit} bytes")
    return data


def read_folder(root: Path, folder: str, source: str, exclude: tuple[str, ...] = ()) -> tuple[CodeFolder | None, list[str]]:
    """The delivery of ``folder`` (relative to ``root``) for ``source``, or the reasons it has none."""
    problem = folder_problem(folder)
    if problem:
        return None, [problem]
    root_real = os.path.realpath(root)
    path = os.path.join(root_real, *folder.split("/"))
    real = os.path.realpath(path)
    if os.path.commonpath([root_real, real]) != root_real:
        return None, [f"code folder {folder} resolves outside the repository (a symlink?)"]
    if not os.path.isdir(real):
        return None, [f"code folder {folder} does not exist (relative to the repository root, the folder "
                      "holding config/); create it or set code.folder"]
    if source == "workspace":
        walk = _Walk(real, exclude)
        walk.walk(real, "", 0)
        if walk.errors:
            return None, walk.errors
        files = []
        for relative, file_path in walk.files:
            try:
                content = _read(file_path, MAX_FILE_BYTES)
            except OSError as exc:
                return None, [f"{relative}: cannot read: {exc.strerror or exc}"]
            kind, language = _kind(relative, content)
            files.append(CodeFile(relative, kind, language, content, hashlib.md5(content).hexdigest()))  # noqa: S324
        if not files:
            return None, [f"code folder {folder} has no files to deploy"]
        return CodeFolder(folder, files=tuple(files)), []
    dist = os.path.join(real, "dist")
    try:
        names = sorted(e.name for e in os.scandir(dist) if e.name.endswith(".whl")) if os.path.isdir(dist) else []
    except OSError as exc:
        return None, [f"{folder}/dist: cannot read folder: {exc.strerror or exc}"]
    if not names:
        return None, [f"no built wheel in {folder}/dist: build it with `{build_command(folder)}` "
                      "(CI builds it before synth)"]
    if len(names) > MAX_WHEELS:
        return None, [f"{folder}/dist holds more than {MAX_WHEELS} wheels; clean it before building"]
    wheels = []
    for name in names:
        match = WHEEL_NAME.match(name)
        file_path = os.path.join(dist, name)
        if match is None or not _SAFE_NAME.match(name):
            return None, [f"{folder}/dist/{name[:80]}: not a wheel file name (PEP 427: "
                          "name-version-python-abi-platform.whl)"]
        if os.path.islink(file_path) or not os.path.isfile(file_path):
            return None, [f"{folder}/dist/{name}: must be a regular file (not a symlink)"]
        try:
            content = _read(file_path, MAX_WHEEL_BYTES)
        except OSError as exc:
            return None, [f"{folder}/dist/{name}: cannot read: {exc.strerror or exc}"]
        if not content.startswith(b"PK"):
            return None, [f"{folder}/dist/{name}: not a wheel (a wheel is a zip archive); rebuild it with "
                          f"`{build_command(folder)}`"]
        wheels.append(WheelFile(name, normalize_distribution(match["dist"]), match["version"], content,
                                hashlib.md5(content).hexdigest()))  # noqa: S324
    seen: dict[str, str] = {}
    for w in wheels:
        if w.distribution in seen:
            return None, [f"{folder}/dist holds two wheels of {w.distribution} ({seen[w.distribution]}, {w.file_name}): "
                          f"keep the one to deploy (clean dist/ before `{build_command(folder)}`)"]
        seen[w.distribution] = w.file_name
    return CodeFolder(folder, wheels=tuple(wheels)), []


def repository_root(source_file: str) -> Path:
    """The repository root of a project file as the loader names it (``<root>/<config>/projects/x.yaml``;
    display paths are relative to the working directory)."""
    return Path(source_file).resolve().parent.parent.parent


# --------------------------------------------------------------------------- the check


def _folder_key(project) -> tuple:
    return ("code", "folder") if project.code.folder is not None else ("code", "source")


def code_folder_for(target) -> tuple[CodeFolder | None, list[Problem]]:
    """Read ``target``'s code folder (source workspace or volume) and check every relative code path
    the jobs (and pipelines) reference against it. ``(None, [])`` for source git."""
    project = target.project
    code = project.code
    if code.source == "git" or not project.enabled:
        return None, []
    source = target.source
    if source is None:  # a target built in code (tests): nothing to locate against
        raise ValueError("a workspace or volume code source needs a project loaded from config/")

    def at(path: tuple, summary: str) -> Problem:
        file, line = source.locate(path)
        return Problem(file, line, key_path(path), summary)

    folder = code.folder_for(project.name)
    found, errors = read_folder(repository_root(source.file), folder, code.source, tuple(code.exclude))
    if found is None:
        return None, [at(_folder_key(project), f"environment '{target.env.name}': {e}") for e in errors]
    problems: list[Problem] = []
    for kind, job in project.jobs.enabled_jobs():
        for path, task in task_codes(job):
            where = ("jobs", kind, *path)
            if code.source == "workspace" and task.relative:
                if task.notebook is not None and found.notebook(task.notebook) is None:
                    plain = any(found.file(task.notebook + ext) for ext in ("", *NOTEBOOK_HEADERS))
                    hint = (" (a file with that name exists, but it does not start with the notebook source "
                            "header, e.g. '# Databricks notebook source')") if plain else ""
                    problems.append(at(where + ("notebook",), f"no notebook {task.notebook!r} in code folder "
                                                             f"{folder}{hint}"))
                if task.python_script is not None and found.file(task.python_script) is None:
                    problems.append(at(where + ("python_script",), f"no file {task.python_script!r} in code "
                                                                   f"folder {folder}"))
            wheel = task.python_wheel
            if code.source == "volume" and wheel is not None and wheel.wheel is None:
                hits = found.wheel(wheel.package_name)
                if not hits:
                    built = ", ".join(w.file_name for w in found.wheels)
                    problems.append(at(where + ("python_wheel", "package_name"),
                                       f"no built wheel of package {wheel.package_name!r} in {folder}/dist "
                                       f"(found: {built}); build it with `{build_command(folder)}`"))
                elif len(hits) > 1:
                    problems.append(at(where + ("python_wheel", "package_name"),
                                       f"{len(hits)} wheels of package {wheel.package_name!r} in {folder}/dist "
                                       f"({', '.join(w.file_name for w in hits)}): keep one version"))
    if code.source == "workspace":
        for key, pipeline in project.pipelines.items():
            if not pipeline.enabled:
                continue
            for i, lib in enumerate(pipeline.libraries):
                if lib.path.startswith("/") or ":" in lib.path.split("/", 1)[0]:
                    continue
                ok = found.notebook(lib.path) if lib.kind == "notebook" else (
                    found.file(lib.path) or found.notebook(lib.path))
                if lib.kind == "glob" or ok:
                    continue
                problems.append(at(("pipelines", key, "libraries", i, lib.kind),
                                   f"no {lib.kind} {lib.path!r} in code folder {folder}"))
    return found, problems


def code_problems(platform) -> list[Problem]:
    """Every code-folder problem of every enabled project and environment (a ``load_platform`` check)."""
    out: list[Problem] = []
    for _env, targets in sorted(platform.targets.items()):
        for target in targets:
            if target.project.code.source != "git" and target.source is not None:
                out.extend(code_folder_for(target)[1])
    return sorted(set(out), key=lambda p: (p.file, p.line, p.key, p.summary))

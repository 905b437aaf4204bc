"""Strict discovery of config files (issue 11 item 3): every entry of a config folder is a
``<name>.yaml`` file or a problem naming its path, never a silent skip. Used by
platform_config.loader."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from platform_config.errors import Problem


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path.resolve(), Path.cwd())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, an unreadable parent
        return str(path)
    return str(path) if rel.startswith("..") else rel


#: Files in a config folder that are not config (kept so an empty folder stays in git).
IGNORED_FILES = frozenset({".gitkeep"})


def _yaml_files(folder: Path, root: Path | None = None, problems: list[Problem] | None = None) -> list[Path]:
    """The config files of ``folder``, strictly: anything else in it is a problem naming the
    path (never a silent skip): another extension or case, a subfolder, a symlink that does
    not resolve or leaves ``root``, a FIFO/device/socket, two files for one name. A missing
    folder has no files."""
    problems = [] if problems is None else problems
    try:
        if not folder.exists() and not folder.is_symlink():
            return []
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except NotADirectoryError:
        problems.append(Problem(display_path(folder), 0, "", "must be a folder of .yaml files"))
        return []
    except OSError as exc:
        problems.append(Problem(display_path(folder), 0, "", f"cannot read folder: {exc.strerror or exc}"))
        return []
    root_real = os.path.realpath(root if root is not None else folder.parent)
    found: dict[str, Path] = {}
    for entry in entries:
        path = Path(entry.path)
        shown = display_path(path)
        if entry.name in IGNORED_FILES:
            continue
        try:
            if entry.is_symlink():
                target = os.path.realpath(path)
                if not os.path.exists(target):
                    problems.append(Problem(shown, 0, "", "symlink does not resolve"))
                    continue
                if os.path.commonpath([root_real, target]) != root_real:
                    problems.append(Problem(shown, 0, "", "symlink points outside the config folder"))
                    continue
            mode = os.stat(path).st_mode
        except OSError as exc:
            problems.append(Problem(shown, 0, "", f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(mode):
            problems.append(Problem(shown, 0, "", "subfolders are not read: put the file directly in "
                                    f"{display_path(folder)}/"))
            continue
        stem, dot, suffix = entry.name.rpartition(".")
        if not dot or suffix.lower() not in ("yaml", "yml") or not stem:
            problems.append(Problem(shown, 0, "", "unexpected file: only <name>.yaml files belong here"))
            continue
        if suffix not in ("yaml", "yml"):
            problems.append(Problem(shown, 0, "", f"unexpected extension case: rename to {stem}.yaml"))
            continue
        if not stat.S_ISREG(mode):
            problems.append(Problem(shown, 0, "", "not a regular file (a FIFO, device or socket)"))
            continue
        if stem in found:
            problems.append(Problem(shown, 0, "", f"two files for '{stem}': {display_path(found[stem])} "
                                    "and this one; keep one"))
            continue
        found[stem] = path
    return sorted(found.values())

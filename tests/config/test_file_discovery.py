"""Issue 11 item 3: strict file discovery under config/. Each case is exit 2 with an error
naming the path; never a silent skip, never a traceback; the previous cdktf.out untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot
from platform_config import load_platform
from platform_config import yaml_source


def _check(config: Path, tmp_path: Path, path: Path, fragment: str, subprocess_run: bool = False) -> None:
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    assert_refused(run_cli(config, outdir, subprocess_run=subprocess_run), before, outdir, str(path), None, fragment)


def test_yml_beside_yaml(config_copy: Path, tmp_path: Path) -> None:
    shutil.copy(config_copy / "environments/dev.yaml", config_copy / "environments/dev.yml")
    _check(config_copy, tmp_path, config_copy / "environments/dev.yml", "two files for 'dev'")


def test_upper_case_extension(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "projects/churn.yaml").rename(config_copy / "projects/churn.YAML")
    _check(config_copy, tmp_path, config_copy / "projects/churn.YAML", "rename to churn.yaml")


@pytest.mark.parametrize("name", ["churn.json", "churn.yaml.bak", "README", "churn.yaml~"])
def test_unexpected_files(config_copy: Path, tmp_path: Path, name: str) -> None:
    (config_copy / "projects" / name).write_text("name: x\n")
    _check(config_copy, tmp_path, config_copy / "projects" / name, "unexpected file")


def test_subfolder(config_copy: Path, tmp_path: Path) -> None:
    sub = config_copy / "projects" / "team-a"
    sub.mkdir()
    (config_copy / "projects/churn.yaml").rename(sub / "churn.yaml")
    _check(config_copy, tmp_path, sub, "subfolders are not read")


def test_broken_symlink(config_copy: Path, tmp_path: Path) -> None:
    link = config_copy / "projects" / "gone.yaml"
    link.symlink_to(config_copy / "projects" / "missing.yaml")
    _check(config_copy, tmp_path, link, "symlink does not resolve")


def test_symlink_leaving_config(config_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((config_copy / "projects/churn.yaml").read_text().replace("name: churn", "name: churn2"))
    link = config_copy / "projects" / "churn2.yaml"
    link.symlink_to(outside)
    _check(config_copy, tmp_path, link, "symlink points outside the config folder")


def test_symlink_inside_config_is_followed(config_copy: Path) -> None:
    expected = load_platform(config_copy)
    real = config_copy / "projects" / "churn.yaml"
    (config_copy / "shared").mkdir()
    real.rename(config_copy / "shared" / "churn.yaml")
    real.symlink_to(config_copy / "shared" / "churn.yaml")
    assert load_platform(config_copy).targets == expected.targets


def test_directory_named_like_a_file(config_copy: Path, tmp_path: Path) -> None:
    (config_copy / "projects" / "other.yaml").mkdir()
    _check(config_copy, tmp_path, config_copy / "projects" / "other.yaml", "subfolders are not read")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo(config_copy: Path, tmp_path: Path) -> None:
    fifo = config_copy / "projects" / "pipe.yaml"
    os.mkfifo(fifo)
    _check(config_copy, tmp_path, fifo, "not a regular file", subprocess_run=True)  # would block if opened


def test_device(config_copy: Path, tmp_path: Path) -> None:
    link = config_copy / "projects" / "null.yaml"
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    os.symlink("/dev/null", link)  # a device, and outside config/
    _check(config_copy, tmp_path, link, "symlink points outside the config folder")


def test_unreadable_file(config_copy: Path, tmp_path: Path, monkeypatch) -> None:
    path = config_copy / "projects" / "churn.yaml"
    real_open = open

    def guarded(file, *args, **kwargs):  # root reads any file, so simulate EACCES
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(yaml_source, "open", guarded, raising=False)
    _check(config_copy, tmp_path, path, "cannot read file: Permission denied")


def test_config_folder_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "config"
    loop.symlink_to(tmp_path / "config")
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    assert_refused(run_cli(loop, outdir), before, outdir, str(loop), None, "symlink loop")


def test_unreadable_config_folder(config_copy: Path, tmp_path: Path, monkeypatch) -> None:
    real_listdir = os.listdir

    def guarded(path="."):
        if Path(path) == config_copy:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", guarded)
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    assert_refused(run_cli(config_copy, outdir), before, outdir, str(config_copy), None,
                   "cannot read config directory: Permission denied")


def test_unreadable_projects_folder(config_copy: Path, tmp_path: Path, monkeypatch) -> None:
    real_scandir = os.scandir

    def guarded(path="."):
        if Path(path) == config_copy / "projects":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    _check(config_copy, tmp_path, config_copy / "projects", "cannot read folder: Permission denied")


def test_gitkeep_is_allowed(config_copy: Path) -> None:
    (config_copy / "projects" / ".gitkeep").write_text("")
    load_platform(config_copy)

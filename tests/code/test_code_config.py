"""code: config and the code folder reader (no jsii): defaults, what a workspace and a volume
source deliver, and every bad input (exit 2 with file, line and key; no secret echoed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from code_support import PROJECT, write_repo, write_wheel

from databricks_spec.diagnostics import ExitCode
from platform_config import ConfigError, load_platform
from platform_config.code_folder import MAX_FILES, read_folder
from resolution.checks import load_checked
from support import EXAMPLE_CONFIG, line_of


def problems(config: Path) -> list:
    with pytest.raises(ConfigError) as info:
        load_checked(config)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    return [p for p in info.value.problems if p.file.endswith("cs.yaml")]


def only(found: list, key: str):
    hits = [p for p in found if p.key == key]
    assert hits, f"no problem at {key}: {found}"
    return hits[0]


def test_git_is_the_default_and_the_shipped_example_reads_no_folder():
    platform = load_checked(EXAMPLE_CONFIG)
    for targets in platform.targets.values():
        churn = next(t for t in targets if t.project.name == "churn")
        assert churn.project.code.source == "git"
        assert churn.project.code.folder_for("churn") == "projects/churn"


def test_workspace_folder_is_read_sorted_with_notebooks_by_header(tmp_path):
    config = write_repo(tmp_path)
    load_checked(config)  # valid
    found, errors = read_folder(tmp_path, "projects/cs", "workspace")
    assert errors == []
    assert [(f.relative, f.kind, f.language) for f in found.files] == [
        ("common/features.py", "file", None), ("deploy/deploy.py", "file", None),
        ("queries/report.sql", "notebook", "SQL"), ("training/Train.py", "notebook", "PYTHON"),
        ("training/Validate.py", "notebook", "PYTHON")]
    assert found.notebook("training/Train").workspace_relative == "training/Train"
    assert len(found.files[0].md5) == 32


def test_always_excluded_and_configured_exclusions(tmp_path):
    write_repo(tmp_path)
    code = tmp_path / "projects" / "cs"
    for junk in (".git/config", "__pycache__/x.pyc", "dist/old.whl", "build/lib/x.py", "pkg.egg-info/PKG-INFO",
                 "tests/test_x.py", "notes.md"):
        (code / junk).parent.mkdir(parents=True, exist_ok=True)
        (code / junk).write_text("x")
    found, _ = read_folder(tmp_path, "projects/cs", "workspace", ("tests/*", "*.md"))
    assert {f.relative for f in found.files} == {"common/features.py", "deploy/deploy.py", "queries/report.sql",
                                                 "training/Train.py", "training/Validate.py"}


def test_missing_code_folder_is_exit_2_at_the_key(tmp_path):
    config = write_repo(tmp_path, PROJECT.replace("source: workspace", "source: workspace\n  folder: projects/nope"),
                        files={})
    p = only(problems(config), "code.folder")
    assert p.line == line_of(config / "projects" / "cs.yaml", "folder: projects/nope")
    assert "does not exist" in p.summary and p.file.endswith("config/projects/cs.yaml")


def test_default_folder_missing_points_at_the_source(tmp_path):
    config = write_repo(tmp_path, files={})
    p = only(problems(config), "code.source")
    assert "projects/cs does not exist" in p.summary


@pytest.mark.parametrize("folder", ["../outside", "/etc", "projects/../../x", "projects/./cs", "C:/x", "a\\\\b"])
def test_folder_escapes_are_refused(tmp_path, folder):
    config = write_repo(tmp_path, PROJECT.replace("source: workspace", f"source: workspace\n  folder: '{folder}'"))
    p = only(problems(config), "code.folder")
    assert p.line == line_of(config / "projects" / "cs.yaml", "folder:")


def test_symlink_escaping_the_folder_is_refused(tmp_path):
    config = write_repo(tmp_path)
    secret = tmp_path / "outside.txt"
    secret.write_text("not for the workspace")
    os.symlink(secret, tmp_path / "projects" / "cs" / "common" / "leak.py")
    p = only(problems(config), "code.source")
    assert "common/leak.py: symlink points outside the code folder" in p.summary


def test_symlinked_code_folder_outside_the_repository_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = tmp_path / "repo"
    config = write_repo(repo, files={})
    (repo / "projects").mkdir(exist_ok=True)
    os.symlink(elsewhere, repo / "projects" / "cs")
    assert "resolves outside the repository" in only(problems(config), "code.source").summary


def test_file_count_is_bounded(tmp_path):
    files = {f"many/f{i:04}.txt": "x" for i in range(MAX_FILES + 1)}
    config = write_repo(tmp_path, files={**files, "training/Train.py": "# Databricks notebook source\n"})
    assert f"more than {MAX_FILES} files" in only(problems(config), "code.source").summary


def test_a_job_referencing_a_file_the_folder_does_not_hold(tmp_path):
    config = write_repo(tmp_path, PROJECT.replace("deploy/deploy.py", "deploy/missing.py").replace(
        "notebook: training/Validate", "notebook: common/features"))
    found = problems(config)
    path = config / "projects" / "cs.yaml"
    p = only(found, "jobs.training.tasks.deploy.python_script")
    assert p.line == line_of(path, "deploy/missing.py") and "no file 'deploy/missing.py'" in p.summary
    nb = only(found, "jobs.training.tasks.validate.notebook")
    assert "does not start with the notebook source header" in nb.summary


VOLUME = PROJECT.replace("source: workspace", "source: volume\n  volume: artifacts").replace(
    "jobs:\n", "jobs:\n  workspace_root: /Workspace/Shared/cs   # notebooks; the volume delivers wheels\n")


def test_volume_source_needs_a_volume_and_a_built_wheel(tmp_path):
    project = VOLUME.replace(
        "      deploy: {python_script: deploy/deploy.py}",
        "      deploy: {python_wheel: {package_name: cs-model, entry_point: score}}")
    config = write_repo(tmp_path, project)
    p = only(problems(config), "code.source")
    assert "no built wheel in projects/cs/dist: build it with `python -m build projects/cs`" in p.summary
    write_wheel(tmp_path / "projects" / "cs" / "dist")
    platform = load_checked(config)
    assert platform.targets["dev"]
    found, _ = read_folder(tmp_path, "projects/cs", "volume")
    assert [(w.file_name, w.distribution, w.version) for w in found.wheels] == [
        ("cs_model-0.1.0-py3-none-any.whl", "cs-model", "0.1.0")]


def test_volume_wheel_of_another_package(tmp_path):
    project = VOLUME.replace(
        "      deploy: {python_script: deploy/deploy.py}",
        "      deploy: {python_wheel: {package_name: other, entry_point: score}}")
    config = write_repo(tmp_path, project)
    write_wheel(tmp_path / "projects" / "cs" / "dist")
    p = only(problems(config), "jobs.training.tasks.deploy.python_wheel.package_name")
    assert "no built wheel of package 'other'" in p.summary and "python -m build projects/cs" in p.summary


def test_volume_source_without_volume_key(tmp_path):
    config = write_repo(tmp_path, PROJECT.replace("source: workspace", "source: volume\n  volume: nope"))
    assert "unknown volume 'nope'" in only(problems(config), "code.volume").summary


@pytest.mark.parametrize("key,value", [
    ("personal_access_token", "ghp_" + "aB3" * 12),  # built at run time: no token-like literal in the repo
    ("token", "glpat-" + "xY9" * 7),
])
def test_a_git_token_in_config_is_refused_and_not_echoed(tmp_path, key, value):
    project = PROJECT.replace("source: workspace", f"source: git\n  git_credential:\n    {key}: {value}")
    config = write_repo(tmp_path, project)
    with pytest.raises(ConfigError) as info:
        load_platform(config)
    found = [p for p in info.value.problems if p.file.endswith("cs.yaml")]
    at = only(found, f"code.git_credential.{key}")
    assert at.line == line_of(config / "projects" / "cs.yaml", key)
    assert all(value not in str(p) for p in info.value.problems)
    assert any("credential" in p.summary or "secret" in p.summary for p in found)


def test_git_credential_needs_a_provider(tmp_path):
    project = PROJECT.replace("source: workspace", "source: git\n  git_credential: {username: bot}")
    config = write_repo(tmp_path, project)
    assert "set provider" in only(problems(config), "code.git_credential.provider").summary


def test_two_versions_of_one_wheel_are_refused(tmp_path):
    config = write_repo(tmp_path, VOLUME.replace(
        "      deploy: {python_script: deploy/deploy.py}",
        "      deploy: {python_wheel: {package_name: cs-model, entry_point: score}}"))
    write_wheel(tmp_path / "projects" / "cs" / "dist", version="0.1.0")
    write_wheel(tmp_path / "projects" / "cs" / "dist", version="0.2.0")
    assert "two wheels of cs-model" in only(problems(config), "code.source").summary


def test_cli_reports_code_problems_with_exit_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    from mlops_tools import cli

    monkeypatch.delenv("MLOPS_DEBUG", raising=False)
    config = write_repo(tmp_path, PROJECT.replace("deploy/deploy.py", "deploy/gone.py"))
    out = tmp_path / "out"
    assert cli.main(["synth", "--config", str(config), "--outdir", str(out)]) == 2
    err = capsys.readouterr().err
    line = line_of(config / "projects" / "cs.yaml", "deploy/gone.py")
    assert f"cs.yaml:{line} jobs.training.tasks.deploy.python_script: no file 'deploy/gone.py'" in err
    assert "Traceback" not in err and not out.exists()

"""Base-vs-working-tree change review on the shipped example, in a throwaway git repository.

The project is copied into a temporary directory, committed there (base), then
changed in the working tree (head) and reviewed offline: once with a changed
experiment permission (an in-place update), once with the project and the
staging environment removed (deletes; a removed stack is all deletes).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from delivery_support import PROJECT_ROOT

from mlops_tools.cli import main
from mlops_tools.review.change_review import change_review
from mlops_tools.review.plan_review import DATA_LOSS, EXIT_BAD_INPUT, EXIT_DESTRUCTIVE, SECURITY, Review

COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "node_modules", "cdktf.out*", "__pycache__", ".pytest_cache",
                                     ".benchmarks", "tests", "docs", ".github", "*.tfstate*", ".terraform*")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def _edit_yaml(path: Path, edit) -> None:
    doc = yaml.safe_load(path.read_text())
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def require_plan(stack) -> None:
    assert not stack.failed, stack.error


def _head_changes(doc: dict) -> None:
    """dev: new training schedule and readers CAN_EDIT; prod: project disabled; staging: gone."""
    envs = doc.setdefault("environments", {})
    dev = envs.setdefault("dev", {})
    dev.setdefault("jobs", {}).setdefault("training", {})["schedule"] = {
        "cron": "0 0 6 ? * MON", "timezone": "Europe/Berlin"}
    dev.setdefault("experiment", {}).setdefault("permissions", {})["readers"] = "CAN_EDIT"
    envs.setdefault("prod", {})["enabled"] = False
    envs.pop("staging", None)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("change-review") / "project"
    shutil.copytree(PROJECT_ROOT, repo, ignore=COPY_IGNORE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


@pytest.fixture(scope="module")
def review(repo, offline_terraform) -> Review:
    """One offline change review of all environments (base = the commit, head = the working tree)."""
    _edit_yaml(repo / "config" / "projects" / "churn.yaml", _head_changes)
    (repo / "config" / "environments" / "staging.yaml").unlink()
    review, _ = change_review("HEAD", project=repo)
    return review


def _stack(review: Review, name: str):
    stack = next(s for s in review.stacks if s.stack == name)
    require_plan(stack)
    return stack


def test_stacks_are_reviewed_in_order_with_removed_stacks_last(review):
    assert [s.stack for s in review.stacks] == ["dev", "prod", "staging"]
    assert review.exit_code == EXIT_DESTRUCTIVE


def test_schedule_and_permission_changes_are_in_place_updates(review):
    dev = _stack(review, "dev")
    assert dev.counts() == {"update": 2}
    by_type = {c.type: c for c in dev.visible_changes}
    assert by_type["databricks_job"].changed == ("schedule",)
    assert by_type["databricks_job"].object == "dev-churn-training-job"
    assert by_type["databricks_permissions"].changed == ("access_control",)
    (risk,) = dev.risks
    assert risk.kind == SECURITY and "analysts: +CAN_EDIT -CAN_READ" in risk.message
    assert Review([dev]).exit_code == 0


def test_removing_a_project_deletes_its_resources_and_blocks(review):
    prod = _stack(review, "prod")
    counts = prod.counts()
    assert set(counts) == {"delete"} and counts["delete"] >= 4
    deleted = {c.type for c in prod.visible_changes}
    assert {"databricks_registered_model", "databricks_mlflow_experiment", "databricks_grants"} <= deleted
    assert "databricks_catalog" not in deleted  # the environment's platform part stays
    assert all(c.reason == "removed from the configuration" for c in prod.visible_changes)
    assert any(r.kind == DATA_LOSS and r.address.startswith("databricks_registered_model.") for r in prod.risks)
    assert Review([prod]).exit_code == EXIT_DESTRUCTIVE


def test_a_removed_stack_is_all_deletes(review):
    staging = _stack(review, "staging")
    assert "stack removed" in staging.note
    assert set(staging.counts()) == {"delete"}
    deleted = {c.type for c in staging.visible_changes}
    assert {"databricks_catalog", "databricks_registered_model"} <= deleted


def test_cli_rejects_unknown_revision_and_environment(repo, monkeypatch, capsys, offline_terraform):
    monkeypatch.chdir(repo)
    assert main(["change-review", "--base", "no-such-rev"]) == EXIT_BAD_INPUT
    assert "unknown revision" in capsys.readouterr().err
    assert main(["stacks", "--env", "nope"]) == EXIT_BAD_INPUT

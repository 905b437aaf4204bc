"""Base-vs-working-tree change review on the shipped example, in a throwaway git repository.

The project is copied into a temporary directory, committed there (base), then
changed in the working tree (head) and reviewed offline: once with a changed
experiment permission (an in-place update), once with the project and the
staging environment removed (deletes; a removed stack is all deletes).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from delivery_support import PROJECT_ROOT

from mlops_tools.cli import main
from mlops_tools.review import change_review
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


@dataclass
class Run:
    review: Review
    exit_code: int
    markdown: str
    stderr: str


@pytest.fixture(scope="module")
def run(repo, offline_terraform, tmp_path_factory) -> Run:
    """One `python -m mlops_tools change-review --base HEAD` of all environments, as a user runs it
    (base = the commit, head = the working tree); the Review object is captured on the way."""
    _edit_yaml(repo / "config" / "projects" / "churn.yaml", _head_changes)
    (repo / "config" / "environments" / "staging.yaml").unlink()
    captured, real = [], change_review.change_review

    def spy(*args, **kwargs):
        captured.append(real(*args, **kwargs))
        return captured[-1]

    output = tmp_path_factory.mktemp("change-review-out") / "review.md"
    stderr = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo)
        mp.setattr(change_review, "change_review", spy)
        mp.setattr(sys, "stderr", stderr)
        mp.setattr(sys, "stdout", io.StringIO())
        code = main(["change-review", "--base", "HEAD", "-o", str(output)])
    ((review, _sha),) = captured
    return Run(review, code, output.read_text(), stderr.getvalue())


@pytest.fixture(scope="module")
def review(run) -> Review:
    return run.review


def _stack(review: Review, name: str):
    stack = next(s for s in review.stacks if s.stack == name)
    require_plan(stack)
    return stack


def test_stacks_are_reviewed_in_order_with_removed_stacks_last(review):
    assert [s.stack for s in review.stacks] == ["dev", "prod", "staging"]
    assert review.exit_code == EXIT_DESTRUCTIVE


def test_the_command_prints_the_review_and_exits_3_on_deletes(run):
    assert run.exit_code == EXIT_DESTRUCTIVE and "review: exit 3" in run.stderr
    text = run.markdown
    assert text.startswith("### Change review (offline): HEAD (")
    assert "| `dev` | 0 | 2 | 0 | 0 | - | 🔐 1 |" in text
    assert "| ~ update | `databricks_job.churn_training_job_" in text and "changes `schedule`" in text
    assert "**Blocked:**" in text and "_stack removed by this change: every resource in it is deleted_" in text


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


def test_removing_a_project_deletes_its_resources_and_blocks(review, example):
    prod = _stack(review, "prod")
    counts = prod.counts()
    assert set(counts) == {"delete"}
    managed = [c for c in prod.changes if c.mode == "managed"]
    base_resources = sum(len(v) for v in example.stacks["prod"]["resource"].values())
    assert len(managed) == base_resources  # every base resource is in the plan: deleted or kept
    assert {c.action for c in managed} == {"delete", "no-op"}
    deleted = {c.type for c in prod.visible_changes}
    assert {"databricks_registered_model", "databricks_mlflow_experiment", "databricks_grants", "databricks_job",
            "databricks_model_serving", "databricks_quality_monitor"} <= deleted
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


def test_bad_config_in_the_working_tree_is_bad_input_with_file_and_line(repo, monkeypatch, capsys, offline_terraform):
    bad = repo / "config" / "projects" / "bad.yaml"
    bad.write_text("name: bad\nowner: [x\n")
    monkeypatch.chdir(repo)
    try:
        assert main(["change-review", "--base", "HEAD"]) == EXIT_BAD_INPUT
    finally:
        bad.unlink()
    assert "config/projects/bad.yaml:3 invalid YAML" in capsys.readouterr().err

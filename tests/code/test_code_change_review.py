"""A code change in an offline change review (`mlops change-review`): changing one file of a
workspace code source changes exactly one resource (an in-place update of its content and hash);
renaming one file moves only that file. The project is copied into a throwaway git repository
(base = a commit, head = the working tree), as tests/delivery/test_change_review.py does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from code_support import write_repo

from mlops_tools.review.change_review import change_review
from support import ROOT

pytestmark = pytest.mark.terraform

COPY_IGNORE = shutil.ignore_patterns(".git", ".venv*", "node_modules", "cdktf.out*", "__pycache__", ".pytest_cache",
                                     ".benchmarks", "tests", "docs", ".github", "*.tfstate*", ".terraform*")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("code-review") / "project"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE, symlinks=True)
    write_repo(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _dev(repo: Path):
    review, _ = change_review("HEAD", project=repo, environments=["dev"], jobs=1)
    (stack,) = review.stacks
    assert not stack.failed, stack.error
    return [c for c in stack.changes if c.mode == "managed" and c.action != "no-op"]


def test_changing_one_code_file_updates_exactly_that_resource(repo, terraform):
    train = repo / "projects" / "cs" / "training" / "Train.py"
    original = train.read_text()
    train.write_text(original + "print('one more line')\n")
    try:
        changes = _dev(repo)
    finally:
        train.write_text(original)
    (change,) = changes
    assert change.type == "databricks_notebook" and change.action == "update"
    assert change.address.startswith("databricks_notebook.cs_code_file_training_Train_py_")
    assert set(change.changed) == {"content_base64", "md5"}


def test_renaming_one_file_moves_only_that_file(repo, terraform):
    code = repo / "projects" / "cs" / "common"
    (code / "features.py").rename(code / "features2.py")
    try:
        changes = _dev(repo)
    finally:
        (code / "features2.py").rename(code / "features.py")
    assert sorted((c.action, c.address.split(".")[1].rsplit("_", 2)[0]) for c in changes) == [
        ("create", "cs_code_file_common_features2_py"), ("delete", "cs_code_file_common_features_py")]

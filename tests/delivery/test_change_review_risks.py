"""The five misses of issue 12, on the shipped example, through `change-review` as a user runs it.

Head changes (base = the shipped example, committed in a throwaway repository):
* prod: the catalog gets `protection: {prevent_destroy: false, reason: ...}`   -> ⛔ protection removed
* prod: the secret scope `mlops` is renamed                                  -> ⛔ its secrets are lost
* prod: the role job_runners becomes the deployer service principal          -> 🔐 run_as of every job
* dev:  the jobs_runner service principal gets allow_cluster_create           -> 🔐 entitlement
* all:  the registered model is renamed: in prod prevent_destroy protects it  -> ⛔ refused, exit 3
"""

from __future__ import annotations

import io
import shutil
import sys

import pytest
from delivery_support import PROJECT_ROOT
from test_change_review import COPY_IGNORE, _edit_yaml, _git

from mlops_tools.cli import main
from mlops_tools.review import change_review
from mlops_tools.review.plan_review import DATA_LOSS, EXIT_DESTRUCTIVE, IDENTITY, PROTECTION, REFUSED, Review

pytestmark = pytest.mark.terraform

PROD_DEPLOYER = "4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90"
PROD_RUNNER = "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"


def _prod(doc: dict) -> None:
    doc["catalog"]["protection"] = {"prevent_destroy": False, "reason": "catalog is rebuilt from the lake"}
    doc["secret_scopes"]["mlops"]["name"] = "mlops-v2"
    doc["roles"]["job_runners"] = {"service_principals": ["deployer"]}


def _dev(doc: dict) -> None:
    doc["service_principals"]["jobs_runner"]["entitlements"]["allow_cluster_create"] = True


def _project(doc: dict) -> None:
    doc["model"]["name"] = "churn_classifier"


@pytest.fixture(scope="module")
def outcome(offline_terraform, tmp_path_factory):
    repo = tmp_path_factory.mktemp("misses") / "project"
    shutil.copytree(PROJECT_ROOT, repo, ignore=COPY_IGNORE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _edit_yaml(repo / "config" / "environments" / "prod.yaml", _prod)
    _edit_yaml(repo / "config" / "environments" / "dev.yaml", _dev)
    _edit_yaml(repo / "config" / "projects" / "churn.yaml", _project)
    captured, real = [], change_review.change_review

    def spy(*args, **kwargs):
        captured.append(real(*args, **kwargs))
        return captured[-1]

    out = tmp_path_factory.mktemp("misses-out") / "review.md"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo)
        mp.setattr(change_review, "change_review", spy)
        mp.setattr(sys, "stdout", io.StringIO())
        mp.setattr(sys, "stderr", io.StringIO())
        code = main(["change-review", "--base", "HEAD", "--env", "dev", "--env", "prod", "--allow-destroy",
                     "-o", str(out)])
    ((review, _),) = captured
    return code, review, out.read_text()


def _risks(review: Review, stack: str, kind: str) -> list:
    return [r for r in review.risks if r.stack == stack and r.kind == kind]


def test_prod_is_refused_by_prevent_destroy_and_exits_3_even_with_allow_destroy(outcome):
    code, review, text = outcome
    assert code == EXIT_DESTRUCTIVE
    prod = next(s for s in review.stacks if s.stack == "prod")
    assert prod.status == "refused" and any(a.startswith("databricks_registered_model.") for a in prod.refused)
    (refusal,) = [r for r in _risks(review, "prod", REFUSED) if "registered_model" in r.address]
    assert "(`mlops_prod.churn_models.churn_model`) would be replaced (`name` changed" in refusal.message
    assert "all its versions" in refusal.message and "prevent_destroy makes Terraform refuse" in refusal.message
    assert "#### `prod`: plan refused by Terraform (prevent_destroy)" in text
    assert "no changes" not in text.split("#### `prod`")[1].split("####")[0]


def test_protection_override_in_prod_is_flagged(outcome):
    _, review, _ = outcome
    (risk,) = [r for r in _risks(review, "prod", PROTECTION) if r.address.startswith("databricks_catalog.")]
    assert "(`mlops_prod`): lifecycle.prevent_destroy is turned off" in risk.message and risk.blocking


def test_secret_scope_rename_is_a_replacement_whose_secrets_are_lost(outcome):
    _, review, _ = outcome
    (risk,) = [r for r in _risks(review, "prod", DATA_LOSS) if r.address.startswith("databricks_secret_scope.")]
    assert "replaced (`name` changed [provider source (secrets/resource_secret_scope.go)" in risk.message
    assert "its secrets are lost" in risk.message


def test_run_as_change_is_an_identity_change_on_every_prod_job(outcome):
    _, review, _ = outcome
    jobs = [r for r in _risks(review, "prod", IDENTITY) if r.address.startswith("databricks_job.")]
    assert len(jobs) == 8  # 4 ML jobs and 4 alert schedule jobs (they run as the project's run_as)
    assert all(f"now runs as service principal `{PROD_DEPLOYER}` (was: service principal `{PROD_RUNNER}`)"
               in r.message for r in jobs)


def test_service_principal_entitlement_is_flagged_in_dev(outcome):
    _, review, _ = outcome
    (risk,) = [r for r in _risks(review, "dev", IDENTITY) if r.address.startswith("databricks_service_principal.")]
    assert "service principal entitlements +allow_cluster_create" in risk.message
    dev = next(s for s in review.stacks if s.stack == "dev")
    assert dev.status == "planned"  # dev has no prevent_destroy: the model rename is a plain data loss
    assert any(r.address.startswith("databricks_registered_model.") for r in _risks(review, "dev", DATA_LOSS))

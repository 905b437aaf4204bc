"""Plan review of pipeline changes on REAL plan JSON (offline terraform apply + plan).

Base -> head: a pipeline moved from Hive `storage` to Unity Catalog `catalog`
(replaced: its tables are managed by it), a deleted pipeline, a pipeline whose
run identity changes, a pipeline permission change, an in-place configuration
change (a loosened expectation) and a moved Git folder (replaced).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from delivery_support import write_stack

from mlops_tools.offline.harness import apply_stack, verify_stack
from mlops_tools.review.markdown import render
from mlops_tools.review.plan_review import (DATA_LOSS, EXIT_DESTRUCTIVE, REPLACEMENT, IDENTITY, SECURITY, Review,
                                            StackReview, review_plan)

INGEST_ID = "${databricks_pipeline.ingest.id}"
RULE = '{"valid_id":{"action":"drop","expression":"customer_id IS NOT NULL"}}'
LOOSER = '{"valid_id":{"action":"warn","expression":"customer_id IS NOT NULL"}}'
LIB = [{"file": [{"path": "/Repos/mlops/dev-churn/pipelines/ingest_churn.py"}]}]

BASE: dict[str, Any] = {
    "databricks_pipeline": {
        "legacy": {"name": "legacy-ingest", "storage": "dbfs:/pipelines/legacy", "target": "churn",
                   "library": LIB},
        "old_ingest": {"name": "old-ingest", "catalog": "main", "schema": "churn", "library": LIB},
        "ingest": {"name": "dev-churn-ingest-pipeline", "catalog": "main", "schema": "churn", "serverless": True,
                   "library": LIB, "configuration": {"mlops.expectations.crm_customers": RULE},
                   "run_as": {"user_name": "alice@example.com"}},
    },
    "databricks_permissions": {
        "ingest": {"pipeline_id": INGEST_ID,
                   "access_control": [{"group_name": "analysts", "permission_level": "CAN_VIEW"}]},
    },
    "databricks_repo": {"code": {"url": "https://github.com/example-org/churn-ml", "path": "/Repos/mlops/dev-churn",
                                 "branch": "dev"}},
}


def _head() -> dict[str, Any]:
    head = copy.deepcopy(BASE)
    legacy = head["databricks_pipeline"]["legacy"]
    del legacy["storage"], legacy["target"]
    legacy.update(catalog="main", schema="churn")                           # storage -> catalog: replaced
    del head["databricks_pipeline"]["old_ingest"]                            # deleted
    ingest = head["databricks_pipeline"]["ingest"]
    ingest["run_as"] = {"service_principal_name": "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"}  # run identity
    ingest["configuration"] = {"mlops.expectations.crm_customers": LOOSER}   # loosened rule: in place
    head["databricks_permissions"]["ingest"]["access_control"][0]["permission_level"] = "CAN_MANAGE"
    head["databricks_repo"]["code"]["path"] = "/Repos/mlops/churn"           # Git folder moved: replaced
    return head


@pytest.fixture(scope="module")
def plans(offline_terraform, tmp_path_factory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("pipeline-review")
    base_dir, head_dir = write_stack(tmp / "base", BASE), write_stack(tmp / "head", _head())
    state = tmp / "state.tfstate"
    applied = apply_stack(base_dir, state)
    assert applied.ok, applied.failure_text()
    creation = verify_stack(base_dir)
    assert creation.ok and creation.plan, creation.failure_text()
    change = verify_stack(head_dir, state=state)
    assert change.ok and change.plan, change.failure_text()
    return creation.plan, change.plan


@pytest.fixture(scope="module")
def change(plans) -> StackReview:
    return review_plan("dev", plans[1])


def _raw(plan: dict, address: str) -> dict:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def _risks(review: StackReview, address: str, kind: str) -> list:
    return [r for r in review.risks if r.address == address and r.kind == kind]


def test_switching_storage_to_catalog_replaces_the_pipeline_and_blocks(plans, change):
    raw = _raw(plans[1], "databricks_pipeline.legacy")
    assert raw["change"]["actions"] == ["delete", "create"]  # Terraform's verdict (offline provider)
    assert ["storage"] in raw["change"]["replace_paths"]
    (risk,) = _risks(change, "databricks_pipeline.legacy", DATA_LOSS)
    assert risk.blocking
    assert "replaced (`storage` changed [pipeline.md: storage:" in risk.message
    assert "materialized views and streaming tables are dropped" in risk.message


def test_deleted_pipeline_blocks(change):
    (risk,) = _risks(change, "databricks_pipeline.old_ingest", DATA_LOSS)
    assert risk.blocking and "deleted" in risk.message
    assert Review([change]).exit_code == EXIT_DESTRUCTIVE


def test_run_identity_change_is_a_security_risk_not_a_replacement(plans, change):
    assert _raw(plans[1], "databricks_pipeline.ingest")["change"]["actions"] == ["update"]
    (risk,) = _risks(change, "databricks_pipeline.ingest", IDENTITY)
    assert not risk.blocking
    assert ("now runs as service principal `9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72` "
            "(was: user `alice@example.com`)") in risk.message
    assert not _risks(change, "databricks_pipeline.ingest", DATA_LOSS)


def test_loosened_expectation_shows_in_the_changed_configuration(change):
    ingest = next(c for c in change.changes if c.address == "databricks_pipeline.ingest")
    assert "configuration" in ingest.changed
    assert ingest.after["configuration"]["mlops.expectations.crm_customers"] == LOOSER


def test_pipeline_permission_change_is_a_security_risk(change):
    (risk,) = _risks(change, "databricks_permissions.ingest", SECURITY)
    assert "analysts: +CAN_MANAGE -CAN_VIEW" in risk.message


def test_moved_git_folder_is_a_replacement(plans, change):
    assert _raw(plans[1], "databricks_repo.code")["change"]["replace_paths"] == [["path"]]
    (risk,) = _risks(change, "databricks_repo.code", REPLACEMENT)
    assert not risk.blocking and "repo.md" in risk.message


def test_creating_a_pipeline_with_run_as_is_flagged_once(plans):
    review = review_plan("dev", plans[0])
    identity = [r for r in review.risks if r.address == "databricks_pipeline.ingest"]
    assert [r.kind for r in identity] == [IDENTITY]
    assert "the new pipeline runs as user `alice@example.com`" in identity[0].message
    assert "`databricks_pipeline.ingest`" in render(Review([review]))

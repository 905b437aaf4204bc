"""Plan review on REAL plan JSON: terraform plans offline (stub provider) and `terraform show -json`.

One base stack is applied into a scratch state once; one head stack is planned
against it and once from an empty state (pure creation). Between base and head:
an in-place update, a rename that Terraform itself plans as a replacement
(replace_paths), a renamed construct id, a deleted volume, grant and permission
changes, a renamed serving endpoint (downtime), a renamed external location
(forced replacement), a renamed catalog (an in-place update the service refuses:
predicted replacement) and a new experiment.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from delivery_support import write_stack

from mlops_tools.cli import main
from mlops_tools.offline.harness import apply_stack, verify_stack
from mlops_tools.review.markdown import render
from mlops_tools.review.plan_review import (DATA_LOSS, DOWNTIME, EXIT_BAD_INPUT, EXIT_DESTRUCTIVE, EXIT_OK,
                                            RENAME, REPLACEMENT, SECURITY, Review, StackReview, review_plan,
                                            stack_name_for)

MODEL_ID = "${databricks_registered_model.model.id}"
ENDPOINT_ID = "${databricks_model_serving.endpoint.serving_endpoint_id}"

BASE: dict[str, Any] = {
    "databricks_catalog": {"sandbox": {"name": "sandbox", "comment": "scratch space"}},
    "databricks_schema": {
        "ml": {"catalog_name": "main", "name": "ml", "comment": "v1"},
        # renamed construct id in the head (same object): delete + create of a stateful schema
        "features_old": {"catalog_name": "main", "name": "features"},
    },
    "databricks_registered_model": {
        "model": {"catalog_name": "main", "schema_name": "ml", "name": "churn_model"},
    },
    "databricks_volume": {
        "raw": {"catalog_name": "main", "schema_name": "ml", "name": "raw", "volume_type": "MANAGED"},
    },
    "databricks_grants": {
        "model_grants": {"model": MODEL_ID, "grant": [{"principal": "analysts", "privileges": ["EXECUTE"]}]},
    },
    "databricks_model_serving": {"endpoint": {"name": "churn"}},
    "databricks_permissions": {
        "endpoint": {"serving_endpoint_id": ENDPOINT_ID,
                     "access_control": [{"group_name": "analysts", "permission_level": "CAN_QUERY"}]},
    },
    "databricks_external_location": {
        "landing": {"name": "landing", "url": "s3://acme-landing/raw", "credential_name": "landing_cred"},
    },
}


def _head() -> dict[str, Any]:
    head = copy.deepcopy(BASE)
    head["databricks_schema"]["ml"]["comment"] = "v2"                          # in-place update
    head["databricks_schema"]["features"] = head["databricks_schema"].pop("features_old")  # id rename
    head["databricks_registered_model"]["model"]["name"] = "churn_classifier"  # rename forces replace
    del head["databricks_volume"]                                              # stateful delete
    head["databricks_grants"]["model_grants"]["grant"] = [                     # grant change
        {"principal": "analysts", "privileges": ["EXECUTE"]},
        {"principal": "ml-engineers", "privileges": ["APPLY_TAG", "EXECUTE"]},
    ]
    head["databricks_model_serving"]["endpoint"]["name"] = "churn-v2"          # endpoint replaced: downtime
    head["databricks_permissions"]["endpoint"]["access_control"][0]["permission_level"] = "CAN_MANAGE"
    head["databricks_external_location"]["landing"]["name"] = "landing_raw"    # forced replacement
    head["databricks_catalog"]["sandbox"]["name"] = "sandbox_v2"               # immutable: predicted
    head["databricks_mlflow_experiment"] = {"exp": {"name": "/Shared/churn-experiment"}}  # create
    return head


@dataclass
class Plans:
    creation: dict[str, Any]
    change: dict[str, Any]
    path: Path
    """The change plan written as `terraform show -json` output (prod.json)."""


@pytest.fixture(scope="module")
def plans(offline_terraform, tmp_path_factory) -> Plans:
    tmp = tmp_path_factory.mktemp("plan-review")
    base_dir, head_dir = write_stack(tmp / "base", BASE), write_stack(tmp / "head", _head())
    state = tmp / "state.tfstate"
    applied = apply_stack(base_dir, state)
    assert applied.ok, applied.failure_text()
    creation = verify_stack(head_dir)
    assert creation.ok and creation.plan, creation.failure_text()
    change = verify_stack(head_dir, state=state)
    assert change.ok and change.plan, change.failure_text()
    path = tmp / "plans" / "prod.json"
    path.parent.mkdir()
    path.write_text(json.dumps(change.plan))
    return Plans(creation.plan, change.plan, path)


@pytest.fixture(scope="module")
def change(plans) -> StackReview:
    return review_plan("prod", plans.change)


def _by_address(review: StackReview) -> dict[str, Any]:
    return {c.address: c for c in review.changes}


def _risk(review: StackReview, address: str, kind: str):
    (risk,) = [r for r in review.risks if r.address == address and r.kind == kind]
    return risk


def _raw(plan: dict[str, Any], address: str) -> dict[str, Any]:
    """Terraform's own resource_changes entry."""
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def test_pure_creation_counts_creates_and_flags_only_new_access(plans):
    review = review_plan("dev", plans.creation)
    assert review.counts() == {"create": 9}
    assert {r.address for r in review.risks} == {"databricks_grants.model_grants", "databricks_permissions.endpoint"}
    assert {r.kind for r in review.risks} == {SECURITY}
    assert Review([review]).exit_code == EXIT_OK
    text = render(Review([review]))
    assert "| `dev` | 9 | 0 | 0 | 0 |" in text
    assert "`analysts: +EXECUTE`; `ml-engineers: +APPLY_TAG +EXECUTE`" in text and "`analysts: +CAN_MANAGE`" in text


def test_in_place_update_names_the_changed_attribute(change):
    ml = _by_address(change)["databricks_schema.ml"]
    assert ml.action == "update" and ml.actions == ("update",)
    assert ml.changed == ("comment",)
    assert not [r for r in change.risks if r.address == "databricks_schema.ml"]


def test_rename_that_terraform_plans_as_replacement_is_a_blocking_data_loss(plans, change):
    raw = _raw(plans.change, "databricks_registered_model.model")
    assert raw["change"]["actions"] == ["delete", "create"]  # Terraform's verdict, not ours
    assert raw["change"]["replace_paths"] == [["name"]]
    assert raw["action_reason"] == "replace_because_cannot_update"
    model = _by_address(change)["databricks_registered_model.model"]
    assert model.action == "replace" and not model.predicted and model.replace_paths == ("name",)
    assert model.reason == "an attribute that cannot be updated in place changed"
    risk = _risk(change, "databricks_registered_model.model", DATA_LOSS)
    assert risk.blocking and "(`main.ml.churn_model`) is replaced (`name` changed [registered_model.md" in risk.message


def test_construct_id_rename_is_delete_plus_create_with_a_moved_hint(change):
    by_address = _by_address(change)
    assert by_address["databricks_schema.features_old"].action == "delete"
    assert by_address["databricks_schema.features"].action == "create"
    kinds = {r.kind for r in change.risks if r.address == "databricks_schema.features_old"}
    assert kinds == {DATA_LOSS, RENAME}
    assert "`moved` block" in _risk(change, "databricks_schema.features_old", RENAME).message


def test_deleting_a_stateful_resource_is_flagged_and_blocks(change):
    volume = _by_address(change)["databricks_volume.raw"]
    assert volume.action == "delete" and volume.reason == "removed from the configuration"
    risk = _risk(change, "databricks_volume.raw", DATA_LOSS)
    assert risk.blocking and "main.ml.raw" in risk.message
    assert Review([change]).exit_code == EXIT_DESTRUCTIVE
    assert Review([change], allow_destroy=True).exit_code == EXIT_OK


def test_grant_change_is_flagged_for_security_review_with_the_principal_diff(change):
    risk = _risk(change, "databricks_grants.model_grants", SECURITY)
    assert not risk.blocking
    assert "ml-engineers: +APPLY_TAG +EXECUTE" in risk.message
    assert "analysts" not in risk.message  # unchanged principals are not listed


def test_permission_change_is_flagged_for_security_review(change):
    risk = _risk(change, "databricks_permissions.endpoint", SECURITY)
    assert not risk.blocking and "analysts: +CAN_MANAGE -CAN_QUERY" in risk.message


def test_serving_endpoint_replacement_is_downtime_not_blocking(plans, change):
    assert _raw(plans.change, "databricks_model_serving.endpoint")["change"]["replace_paths"] == [["name"]]
    risk = _risk(change, "databricks_model_serving.endpoint", DOWNTIME)
    assert not risk.blocking
    assert "is replaced (`name` changed [model_serving.md" in risk.message and "requests fail" in risk.message


def test_other_forced_replacement_names_the_attribute(plans, change):
    assert _raw(plans.change, "databricks_external_location.landing")["change"]["replace_paths"] == [["name"]]
    risk = _risk(change, "databricks_external_location.landing", REPLACEMENT)
    assert not risk.blocking and "(`landing`) is replaced (`name` changed [external_location.md])" in risk.message


def test_in_place_update_the_service_refuses_is_a_predicted_replacement(plans, change):
    assert _raw(plans.change, "databricks_catalog.sandbox")["change"]["actions"] == ["update"]
    catalog = _by_address(change)["databricks_catalog.sandbox"]
    assert catalog.action == "replace" and catalog.predicted and catalog.replace_paths == ("name",)
    risk = _risk(change, "databricks_catalog.sandbox", DATA_LOSS)
    assert risk.blocking and "replaced (predicted: `name` changed" in risk.message
    assert "`name` cannot change in place: recreation needed (predicted)" in render(Review([change]))


def test_counts_and_markdown_of_the_change(change):
    assert change.counts() == {"create": 2, "update": 3, "replace": 4, "delete": 2}
    text = render(Review([change]))
    assert "**Blocked:** 4 destructive change(s)" in text
    assert "| `prod` | 2 | 3 | 4 | 2 | - | ⛔ 4 ⚠️ 1 🔐 2 ♻️ 1 ℹ️ 1 |" in text
    assert "| -/+ replace | `databricks_registered_model.model` | `databricks_registered_model` |" in text
    assert "<details><summary>11 change(s)</summary>" in text
    assert render(Review([change])) == text  # deterministic: PR comment updates only on real change


def test_cli_review_exit_codes(plans, capsys, tmp_path):
    assert main(["review", str(plans.path)]) == EXIT_DESTRUCTIVE
    out = capsys.readouterr()
    assert "#### `prod`:" in out.out and "exit 3" in out.err
    report = tmp_path / "review.md"
    assert main(["review", "--allow-destroy", "--title", "prod (offline)", "-o", str(report),
                 f"production={plans.path}"]) == EXIT_OK
    text = report.read_text()
    assert text.startswith("### prod (offline)") and "`production`" in text and "allowed by" in text
    capsys.readouterr()
    not_json = tmp_path / "plan.json"
    not_json.write_bytes(b"\x00binary plan")
    assert main(["review", str(not_json)]) == EXIT_BAD_INPUT
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    assert main(["review", str(state)]) == EXIT_BAD_INPUT
    assert "not a plan" in capsys.readouterr().err
    assert main(["review", str(tmp_path / "missing.json")]) == EXIT_BAD_INPUT


def test_stack_names_from_plan_paths(tmp_path, monkeypatch):
    assert stack_name_for(Path("plans/prod.json")) == "prod"
    assert stack_name_for(Path("cdktf.out/stacks/prod-churn/plan.json")) == "prod-churn"
    assert stack_name_for(Path("staging.tfplan.json")) == "staging"
    monkeypatch.chdir(tmp_path)
    assert stack_name_for(Path("plan.json")) == tmp_path.name  # run inside the stack directory


# Shapes the offline provider never produces (moves, list-indexed replace_paths), written
# exactly like `terraform show -json` output.
def _plan(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": list(changes),
            "planned_values": {"root_module": {}}}


def _rc(address: str, actions: list[str], before: Any, after: Any, **extra: Any) -> dict[str, Any]:
    rtype, name = address.split(".", 1)
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "provider_name": "registry.terraform.io/databricks/databricks",
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": {},
                       **extra.pop("change", {})}, **extra}


def test_moves_and_indexed_replace_paths():
    review = review_plan("prod", _plan(
        _rc("databricks_job.train", ["delete", "create"], {"name": "train"}, {"name": "train"},
            change={"replace_paths": [["task", 0, "task_key"]]}),
        _rc("databricks_schema.moved", ["no-op"], {"name": "x"}, {"name": "x"},
            previous_address="databricks_schema.old"),
    ))
    (job,) = review.risks
    assert job.kind == REPLACEMENT and "`task[0].task_key`" in job.message
    assert review.counts() == {"replace": 1, "move": 1}
    assert Review([review]).exit_code == EXIT_OK
    assert "moved from `databricks_schema.old`" in render(Review([review]))


def test_markdown_stays_under_the_comment_limit_and_escapes_cells():
    many = [_rc(f"databricks_schema.s{i}", ["create"], None, {"name": f"a|b{i}"}) for i in range(400)]
    review = Review([review_plan("dev", _plan(*many))])
    full = render(review)
    assert "| `a\\|b1` |" in full
    short = render(review, max_chars=5000)
    assert len(short) <= 5000 and "tables omitted" in short and "| `dev` | 400 |" in short

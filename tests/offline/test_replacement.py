"""The offline provider plans replacements for ForceNew attributes, like the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tools.offline.harness import apply_stack, verify_stack

pytestmark = pytest.mark.terraform


def test_renaming_a_registered_model_plans_a_replacement(
    terraform: str, make_stack, stack_json, tmp_path: Path, valid_resources: dict,
) -> None:
    state = tmp_path / "scratch.tfstate"
    assert apply_stack(make_stack(stack_json(valid_resources), name="base"), state).ok

    valid_resources["databricks_registered_model"]["model"]["name"] = "churn_v2"
    valid_resources["databricks_registered_model"]["model"]["comment"] = "now with a comment"
    valid_resources["databricks_job"]["train"]["description"] = "v2"
    head = verify_stack(make_stack(stack_json(valid_resources), name="head"), state=state)
    assert head.ok, head.failure_text()
    actions = head.actions()
    assert actions["databricks_registered_model.model"] == ["delete", "create"]
    assert actions["databricks_job.train"] == ["update"]
    change = next(c for c in head.plan["resource_changes"]
                  if c["address"] == "databricks_registered_model.model")
    assert change["change"]["replace_paths"] == [["name"]]
    assert change["action_reason"] == "replace_because_cannot_update"
    assert "must be replaced" in head.plan_text


def test_changing_a_non_forcenew_attribute_updates_in_place(
    terraform: str, make_stack, stack_json, tmp_path: Path, valid_resources: dict,
) -> None:
    state = tmp_path / "scratch.tfstate"
    assert apply_stack(make_stack(stack_json(valid_resources), name="base"), state).ok
    valid_resources["databricks_registered_model"]["model"]["comment"] = "documented"
    head = verify_stack(make_stack(stack_json(valid_resources), name="head"), state=state)
    assert head.actions()["databricks_registered_model.model"] == ["update"]

"""verify_stack / apply_stack / offline_plan run real Terraform against the offline provider."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_tools.offline.harness import TerraformNotFound, apply_stack, offline_plan, verify_stack

pytestmark = pytest.mark.terraform

StackFactory = Callable[..., Path]
StackJson = Callable[..., dict]


def _job(**overrides: object) -> dict:
    """A valid databricks_job body with ``overrides`` applied."""
    return {"name": "train", "task": [{"task_key": "t", "notebook_task": {"notebook_path": "/x"}}], **overrides}


def test_valid_stack_validates_and_plans_creates(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    outputs = {"job_url": {"value": "${databricks_job.train.url}"}}
    result = verify_stack(make_stack(stack_json(valid_resources, outputs=outputs)))
    assert result.ok, result.failure_text()
    assert result.actions() == {
        "databricks_job.train": ["create"],
        "databricks_mlflow_experiment.exp": ["create"],
        "databricks_registered_model.model": ["create"],
    }
    assert result.counts() == {"add": 3, "change": 0, "destroy": 0}
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in result.plan_text
    assert set(result.timings) == {"init", "validate", "plan", "show"}
    assert result.diagnostics == []


def test_validate_only_skips_plan(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    result = verify_stack(make_stack(stack_json(valid_resources)), plan=False)
    assert result.ok and result.plan is None and "plan" not in result.steps


@pytest.mark.parametrize(
    ("resources", "outputs", "summary"),
    [
        # Terraform's JSON-syntax wording of HCL's "Unsupported argument".
        pytest.param(
            {"databricks_job": {"j": _job(nmae="typo")}}, None, "Extraneous JSON object property", id="misspelled"
        ),
        pytest.param({"databricks_mlflow_experiment": {"e": {}}}, None, "Missing required argument", id="required"),
        pytest.param(
            {"databricks_job": {"j": _job(max_concurrent_runs={"not": "a number"})}},
            None,
            "Incorrect attribute value type",
            id="wrong-type",
        ),
        pytest.param(
            {"databricks_job": {"j": _job(email_notifications=[{"on_failure": ["a"]}, {"on_start": ["b"]}])}},
            None,
            "Too many email_notifications blocks",
            id="block-twice",
        ),
        pytest.param(
            {"databricks_job": {"j": _job()}},
            {"o": {"value": "${databricks_job.j.no_such_attribute}"}},
            "Unsupported attribute",
            id="bad-reference",
        ),
    ],
)
def test_invalid_config_fails_with_terraform_error(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, resources: dict, outputs: dict | None, summary: str
) -> None:
    result = verify_stack(make_stack(stack_json(resources, outputs=outputs)))
    assert not result.ok
    assert summary in result.error_summaries()
    assert summary in result.failure_text()


def test_remote_backends_are_replaced(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    for name, backend in {
        "s3": {"backend": {"s3": {"bucket": "b", "key": "k", "region": "eu-west-1"}}},
        "cloud": {"cloud": {"organization": "org", "workspaces": {"name": "ws"}}},
    }.items():
        doc = stack_json(valid_resources)
        doc["terraform"].update(backend)
        result = verify_stack(make_stack(doc, name=name), plan=False)
        assert result.ok, result.failure_text()


def test_apply_then_plan_update_and_delete(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, tmp_path: Path, valid_resources: dict,
) -> None:
    state = tmp_path / "scratch.tfstate"
    applied = apply_stack(make_stack(stack_json(valid_resources), name="base"), state)
    assert applied.ok, applied.failure_text()
    assert state.is_file()

    unchanged = verify_stack(make_stack(stack_json(valid_resources), name="same"), state=state)
    assert unchanged.ok and unchanged.counts() == {"add": 0, "change": 0, "destroy": 0}

    valid_resources["databricks_job"]["train"]["description"] = "v2"
    del valid_resources["databricks_registered_model"]
    head = verify_stack(make_stack(stack_json(valid_resources), name="head"), state=state)
    assert head.ok, head.failure_text()
    assert head.actions()["databricks_job.train"] == ["update"]
    assert head.actions()["databricks_registered_model.model"] == ["delete"]
    assert head.counts() == {"add": 0, "change": 1, "destroy": 1}
    assert '~ description = "v1" -> "v2"' in head.plan_text


def test_offline_plan_prints_plan_and_summary(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    good = make_stack(stack_json(valid_resources), name="good")
    out = io.StringIO()
    assert offline_plan([good], out=out) == 0
    text = out.getvalue()
    assert "# databricks_job.train will be created" in text
    assert "good: 3 to add, 0 to change, 0 to destroy" in text

    bad = make_stack(stack_json({"databricks_job": {"j": _job(nmae="typo")}}), name="bad")
    out = io.StringIO()
    assert offline_plan([bad], out=out) == 1
    assert 'No argument or block type is named "nmae"' in out.getvalue()
    assert "bad: FAILED" in out.getvalue()


def test_missing_terraform_is_a_clear_error(
    make_stack: StackFactory, stack_json: StackJson, monkeypatch: pytest.MonkeyPatch, valid_resources: dict,
) -> None:
    stack = make_stack(stack_json(valid_resources))
    monkeypatch.setenv("PATH", "")
    with pytest.raises(TerraformNotFound, match="Terraform >= 1.5"):
        verify_stack(stack)
    out = io.StringIO()
    assert offline_plan([stack], out=out) == 2
    assert "releases.hashicorp.com" in out.getvalue()

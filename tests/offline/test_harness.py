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
    assert set(result.timings) == {"plan", "show"}  # plan validates; no init without modules or other providers
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


# ----------------------------------------------------------------- one provider, many concurrent stacks

_NEGATIVE = {
    "misspelled": ({"databricks_job": {"j": _job(nmae="typo")}}, None, "Extraneous JSON object property"),
    "required": ({"databricks_mlflow_experiment": {"e": {}}}, None, "Missing required argument"),
    "wrong-type": ({"databricks_job": {"j": _job(max_concurrent_runs={"not": "a number"})}}, None,
                   "Incorrect attribute value type"),
    "block-twice": ({"databricks_job": {"j": _job(email_notifications=[{"on_failure": ["a"]}, {"on_start": ["b"]}])}},
                    None, "Too many email_notifications blocks"),
    "bad-reference": ({"databricks_job": {"j": _job()}}, {"o": {"value": "${databricks_job.j.no_such_attribute}"}},
                      "Unsupported attribute"),
}


def test_parallel_verdicts_match_serial_ones(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    """Stacks verified concurrently against the one shared provider get the verdicts they get alone,
    in the order given, and every command of every stack reports its progress."""
    from mlops_tools.offline.harness import provider_server, verify_stacks

    server = provider_server()
    stacks = [make_stack(stack_json(valid_resources), name="good")]
    stacks += [make_stack(stack_json(resources, outputs=outputs), name=name)
               for name, (resources, outputs, _) in _NEGATIVE.items()]
    events: list[tuple[str, str, float | None]] = []
    results = verify_stacks(stacks, jobs=3, on_event=lambda *event: events.append(event))

    assert [r.stack_dir for r in results] == stacks
    good, *bad = results
    assert good.ok and good.counts() == {"add": 3, "change": 0, "destroy": 0}, good.failure_text()
    for result, (name, (_, _, summary)) in zip(bad, _NEGATIVE.items()):
        assert not result.ok, name
        assert summary in result.error_summaries(), (name, result.error_summaries())
        assert summary in result.failure_text(), name
        assert list(result.steps) == ["plan", "validate"], name  # validate only to explain a failed plan
    assert provider_server() is server and server.running(), "one provider process served every command"

    def phases(stack: str) -> list[tuple[str, bool]]:
        return [(phase, seconds is not None) for name, phase, seconds in events if name == stack]

    assert phases("good") == [("plan", False), ("plan", True), ("show", False), ("show", True), ("ok", True)]
    assert phases("required") == [("plan", False), ("plan", True), ("validate", False), ("validate", True),
                                  ("failed", True)]


def test_validate_only_keeps_validate_verdicts(
    terraform: str, make_stack: StackFactory, stack_json: StackJson,
) -> None:
    resources, _, summary = _NEGATIVE["wrong-type"]
    result = verify_stack(make_stack(stack_json(resources)), plan=False)
    assert not result.ok and list(result.steps) == ["validate"]
    assert summary in result.error_summaries()


def test_diagnostic_lines_are_lines_of_the_synthesized_file(
    terraform: str, make_stack: StackFactory, stack_json: StackJson,
) -> None:
    """Disabling the backend keeps every line in place, so Terraform's line numbers point into the
    stack's own cdk.tf.json."""
    doc = stack_json({"databricks_job": {"j": _job(nmae="typo")}})
    doc["terraform"]["backend"] = {"s3": {"bucket": "b", "key": "k", "region": "eu-west-1"}}
    stack = make_stack(doc)
    typo_line = next(n for n, line in enumerate((stack / "cdk.tf.json").read_text().splitlines(), 1)
                     if '"nmae"' in line)
    result = verify_stack(stack)
    assert f"line {typo_line}" in result.failure_text()


def test_provider_version_constraint_is_checked(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    """The attached provider is never installed, so the harness checks the stack's version
    constraint against the version it serves, as `terraform init` would."""
    doc = stack_json(valid_resources)
    doc["terraform"]["required_providers"]["databricks"]["version"] = "1.2.3"
    result = verify_stack(make_stack(doc))
    assert not result.ok and "plan" not in result.steps
    assert "Failed to query available provider packages" in result.error_summaries()
    assert "no available releases match the given constraints 1.2.3" in result.failure_text()
    doc["terraform"]["required_providers"]["databricks"]["version"] = "~> 1.99"
    assert verify_stack(make_stack(doc, name="compatible")).ok


def test_init_runs_for_other_providers(
    terraform: str, make_stack: StackFactory, stack_json: StackJson, valid_resources: dict,
) -> None:
    """A stack using another provider (here Terraform's built-in one) is initialized first."""
    valid_resources["terraform_data"] = {"marker": {"input": "x"}}
    result = verify_stack(make_stack(stack_json(valid_resources)))
    assert result.ok, result.failure_text()
    assert list(result.steps) == ["init", "plan", "show"]
    assert result.actions()["terraform_data.marker"] == ["create"]

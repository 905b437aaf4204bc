"""``plan_json=False`` (what `mlops plan` and the parallel runner use) skips ``terraform show -json``:
the counts then come from the plan's summary line, and must equal those read from the plan document."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tools.offline.harness import apply_stack, verify_stack, verify_stacks
from mlops_tools.offline.results import plan_summary


@pytest.mark.parametrize(("text", "counts"), [
    ("...\nPlan: 3 to add, 0 to change, 0 to destroy.\n", {"add": 3, "change": 0, "destroy": 0}),
    ("Plan: 1 to import, 2 to add, 1 to change, 4 to destroy.\n", {"add": 2, "change": 1, "destroy": 4}),
    ("Plan: 0 to add, 0 to change, 1 to destroy, 2 to forget.\n", {"add": 0, "change": 0, "destroy": 1}),
    ("\nNo changes. Your infrastructure matches the configuration.\n", {"add": 0, "change": 0, "destroy": 0}),
    ("Changes to Outputs:\n  + x = 1\n", None),
    ('      + description = <<-EOT\n          Plan: 9 to add, 9 to change, 9 to destroy.\n', None),
])
def test_plan_summary_reads_only_terraforms_summary_line(text: str, counts: dict | None) -> None:
    assert plan_summary(text) == counts


terraform_test = pytest.mark.terraform


def _planned(text: str) -> list[str]:
    """The plan text without the refresh lines (their order is Terraform's concurrency's)."""
    return [line for line in text.splitlines() if "Refreshing state..." not in line]


@terraform_test
def test_counts_without_the_plan_document_equal_those_from_it(
    terraform: str, make_stack, stack_json, tmp_path: Path, valid_resources: dict,
) -> None:
    """Creates; then against an applied state: an update, a delete, a replacement; then no changes."""
    state = tmp_path / "scratch.tfstate"
    base = make_stack(stack_json(valid_resources), name="base")
    cases = {"create": (base, None)}
    assert apply_stack(base, state).ok
    cases["unchanged"] = (make_stack(stack_json(valid_resources), name="same"), state)
    valid_resources["databricks_job"]["train"]["description"] = "v2"
    valid_resources["databricks_registered_model"]["model"]["name"] = "churn_v2"  # forces a replacement
    del valid_resources["databricks_mlflow_experiment"]
    valid_resources["databricks_job"]["train"]["tags"] = {}
    cases["mixed"] = (make_stack(stack_json(valid_resources), name="head"), state)

    seen = {}
    for name, (stack, against) in cases.items():
        full = verify_stack(stack, state=against)
        lean = verify_stack(stack, state=against, plan_json=False)
        assert full.ok and lean.ok, (full.failure_text(), lean.failure_text())
        assert list(lean.steps) == ["plan"] and lean.plan is None
        assert lean.counts() == full.counts(), name
        assert _planned(lean.plan_text) == _planned(full.plan_text)
        seen[name] = full.counts()
        with pytest.raises(LookupError, match="plan_json=False"):
            lean.actions()
    assert seen == {"create": {"add": 3, "change": 0, "destroy": 0},
                    "unchanged": {"add": 0, "change": 0, "destroy": 0},
                    "mixed": {"add": 1, "change": 1, "destroy": 2}}


@terraform_test
def test_imports_are_counted_without_the_plan_document(
    terraform: str, make_stack, stack_json, valid_resources: dict,
) -> None:
    """`mlops plan` shows an import column: its count, too, comes from the summary line."""
    pytest.importorskip("mlops_tools.offline.imports", reason="the stand-in's import support (branch `import`)")
    doc = stack_json(valid_resources)
    doc["import"] = [{"to": "databricks_mlflow_experiment.exp", "id": "123"}]
    full = verify_stack(make_stack(doc))
    lean = verify_stack(make_stack(doc, name="lean"), plan_json=False)
    assert full.ok and lean.ok, (full.failure_text(), lean.failure_text())
    assert "1 to import" in lean.plan_text
    assert lean.import_count() == full.import_count() == 1
    assert lean.counts() == full.counts()


@terraform_test
def test_a_plan_without_summary_line_reads_the_plan_document(
    terraform: str, make_stack, stack_json, tmp_path: Path,
) -> None:
    """A plan that only changes outputs has no `Plan:` line: the counts come from `show -json`."""
    doc = stack_json({})
    del doc["resource"]
    doc["output"] = {"x": {"value": "1"}}
    result = verify_stack(make_stack(doc), plan_json=False)
    assert result.ok, result.failure_text()
    assert list(result.steps) == ["plan", "show"] and result.counts() == {"add": 0, "change": 0, "destroy": 0}


@terraform_test
def test_parallel_lean_verdicts_match(terraform: str, make_stack, stack_json, valid_resources: dict) -> None:
    good = make_stack(stack_json(valid_resources), name="good")
    bad = make_stack(stack_json({"databricks_mlflow_experiment": {"e": {}}}), name="bad")
    ok, failed = verify_stacks([good, bad], plan_json=False, jobs=2)
    assert ok.ok and ok.counts() == {"add": 3, "change": 0, "destroy": 0} and list(ok.steps) == ["plan"]
    assert not failed.ok and "Missing required argument" in failed.error_summaries()
    assert list(failed.steps) == ["plan", "validate"]


def test_planned_imports_reads_the_summary_line() -> None:
    from mlops_tools.offline.results import planned_imports

    assert planned_imports("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.\n") == 2
    assert planned_imports("Plan: 0 to add, 1 to change, 0 to destroy.\n") == 0

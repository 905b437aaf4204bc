"""Drift detection: does the live workspace still match the configuration on main?

``drift(...)`` plans every stack of each selected environment against its real
state (the backend in the synthesized stack, the credentials in the process
environment) with ``terraform plan -detailed-exitcode -lock=false``: 0 no
changes, 2 changes, 1 error. A stack with changes has drifted: someone changed
the workspace outside Terraform, or main holds changes that were never applied.
Each environment gets one review (:mod:`mlops_tools.review.markdown`), which the
scheduled workflow (``.github/workflows/drift.yml``) posts as the body of one
issue per environment.

The plans are never applied (``-lock=false``: read-only credentials suffice,
no state lock is taken). Exit codes of the command: see :data:`DRIFT_EXIT_CODES`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from databricks_spec.diagnostics import ExitCode
from mlops_tools.review.plan_review import PlanInputError, Review, StackReview, failed_review, load_plan, review_plan
from mlops_tools.review.stacks import SynthStack, stacks_for

DRIFT_EXIT_CODES = {
    ExitCode.OK: "no drift: every stack of every selected environment matches its live state",
    ExitCode.CHECK_FAILED: "a step failed (terraform init/plan/show, synth): the result is incomplete",
    ExitCode.BAD_INPUT: "bad input (unknown environment, bad config, nothing synthesized)",
    ExitCode.DRIFT: "drift: at least one stack's live state differs from the configuration",
}
PLAN_FILE = "drift.tfplan"


@dataclass
class EnvironmentDrift:
    """The drift check of one environment."""

    environment: str
    review: Review
    drifted: list[str]
    """Stacks whose plan has changes (terraform plan exit code 2)."""

    @property
    def failed(self) -> bool:
        return any(s.failed for s in self.review.stacks)

    @property
    def exit_code(self) -> int:
        if self.failed:
            return ExitCode.CHECK_FAILED
        return ExitCode.DRIFT if self.drifted else ExitCode.OK


def _terraform(terraform: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([terraform, *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def check_stack(stack: SynthStack, terraform: str) -> tuple[StackReview, bool]:
    """(review, drifted) of one synthesized stack, planned against its real backend."""
    init = _terraform(terraform, ["init", "-input=false", "-no-color"], stack.directory)
    if init.returncode != 0:
        return failed_review(stack.name, (init.stderr + init.stdout).strip()), False
    plan = _terraform(terraform, ["plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode",
                                  f"-out={PLAN_FILE}"], stack.directory)
    if plan.returncode not in (0, 2):
        review = failed_review(stack.name, (plan.stderr + plan.stdout).strip())
        return review, bool(review.refused)  # refused by prevent_destroy: main would destroy a protected object
    show = _terraform(terraform, ["show", "-json", "-no-color", PLAN_FILE], stack.directory)
    plan_json = stack.directory / f"{PLAN_FILE}.json"
    plan_json.write_text(show.stdout)
    try:
        if show.returncode != 0:
            raise PlanInputError(show.stderr.strip() or "terraform show failed")
        review = review_plan(stack.name, load_plan(plan_json))
    except PlanInputError as exc:
        return StackReview(stack.name, error=str(exc)), False
    drifted = plan.returncode == 2
    if drifted and not review.note:
        review.note = "live state differs from the configuration: changed outside Terraform, or never applied"
    return review, drifted


def drift(outdir: Path, environments: list[str], known: list[str], terraform: str) -> list[EnvironmentDrift]:
    """Plan every stack of each environment (dependencies first) and review it."""
    out = []
    for environment in environments:
        reviews, drifted = [], []
        for stack in stacks_for(outdir, known, [environment]):
            review, changed = check_stack(stack, terraform)
            reviews.append(review)
            if changed:
                drifted.append(stack.name)
        out.append(EnvironmentDrift(environment, Review(reviews, gate=False), drifted))
    return out


def overall_exit(results: list[EnvironmentDrift]) -> int:
    """1 when any check failed, else 4 when any environment drifted, else 0."""
    codes = {r.exit_code for r in results}
    for code in (ExitCode.CHECK_FAILED, ExitCode.DRIFT):
        if code in codes:
            return code
    return ExitCode.OK

"""What verifying a stack produced: each Terraform command's outcome and Terraform's verdict."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Terraform's plan summary line (``-no-color``), with the import and forget counts of 1.5+/1.7+.
_PLAN_LINE = re.compile(r"^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy"
                        r"(?:, \d+ to forget)?\.$", re.M)
_NO_CHANGES = re.compile(r"^No changes\. ", re.M)


def plan_summary(plan_text: str) -> dict[str, int] | None:
    """``{"add", "change", "destroy"}`` from the summary line of Terraform's plan text
    (``Plan: 1 to add, 2 to change, 0 to destroy.`` or ``No changes.``); None when the
    text has neither (e.g. a plan that only changes outputs).

    Terraform counts as :meth:`VerifyResult.counts` does: a replacement is one to add
    and one to destroy, data source reads and imports without changes count nowhere."""
    lines = _PLAN_LINE.findall(plan_text)
    if lines:
        _, add, change, destroy = (int(n or 0) for n in lines[-1])
        return {"add": add, "change": change, "destroy": destroy}
    if _NO_CHANGES.search(plan_text):
        return {"add": 0, "change": 0, "destroy": 0}
    return None


def planned_imports(plan_text: str) -> int:
    """The ``N to import`` of Terraform's plan summary line (0 when it names no import)."""
    lines = _PLAN_LINE.findall(plan_text)
    return int(lines[-1][0] or 0) if lines else 0


@dataclass
class StepResult:
    """Outcome of one terraform command."""

    name: str
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the command exited with status 0."""
        return self.returncode == 0


@dataclass
class VerifyResult:
    """Outcome of :func:`verify_stack` for one stack."""

    stack_dir: Path
    workdir: Path
    ok: bool = False
    steps: dict[str, StepResult] = field(default_factory=dict)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    plan_text: str = ""
    summary_counts: dict[str, int] | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def actions(self) -> dict[str, list[str]]:
        """Map each resource address in the plan to its actions (e.g. ``["create"]``).

        Needs the plan document: a stack planned with ``plan_json=False`` raises LookupError."""
        if self.plan is None and self.summary_counts is not None:
            raise LookupError(f"{self.stack_dir.name} was planned without the plan document (plan_json=False)")
        changes = (self.plan or {}).get("resource_changes", [])
        return {c["address"]: c["change"]["actions"] for c in changes}

    def counts(self) -> dict[str, int]:
        """Number of resources to add, change and destroy (a replacement counts as add and destroy),
        from the plan document, or from the plan's summary line when planned with ``plan_json=False``."""
        if self.plan is None and self.summary_counts is not None:
            return dict(self.summary_counts)
        counts = {"add": 0, "change": 0, "destroy": 0}
        for actions in self.actions().values():
            counts["add"] += "create" in actions
            counts["change"] += "update" in actions
            counts["destroy"] += "delete" in actions
        return counts

    def import_count(self) -> int:
        """Resources the plan imports (``resource_changes[].change.importing`` of the plan document,
        or the ``N to import`` of the summary line when planned with ``plan_json=False``)."""
        if self.plan is None:
            return planned_imports(self.plan_text) if self.summary_counts is not None else 0
        return sum(1 for c in self.plan.get("resource_changes", []) if (c.get("change") or {}).get("importing"))

    def error_summaries(self) -> list[str]:
        """Summaries of all error diagnostics (e.g. ``"Unsupported argument"``)."""
        return [d.get("summary", "") for d in self.diagnostics if d.get("severity") == "error"]

    def failure_text(self) -> str:
        """Terraform's own error output of the first failing step ('' when everything passed)."""
        failed = next((s for s in self.steps.values() if not s.ok), None)
        if failed is None:
            return ""
        if "validate" in self.steps and not self.steps["validate"].ok:  # validate's structured diagnostics
            return "\n\n".join(format_diagnostic(d) for d in self.diagnostics)
        return (failed.stderr + failed.stdout).strip()


def format_diagnostic(diagnostic: dict[str, Any]) -> str:
    """Render a ``terraform validate -json`` diagnostic like Terraform's human output."""
    lines = [f"{diagnostic.get('severity', 'error').capitalize()}: {diagnostic.get('summary', '')}"]
    where = diagnostic.get("range")
    snippet = diagnostic.get("snippet") or {}
    if where:
        context = f", in {snippet['context']}" if snippet.get("context") else ""
        lines.append(f"  on {where['filename']} line {where['start']['line']}{context}:")
    if snippet.get("code"):
        lines.append(f"  {snippet.get('start_line', '')}: {snippet['code']}")
    if diagnostic.get("detail"):
        lines.append(diagnostic["detail"])
    return "\n".join(lines)


def validate_diagnostics(step: StepResult) -> list[dict[str, Any]]:
    try:
        return json.loads(step.stdout).get("diagnostics", [])
    except ValueError:
        return [{"severity": "error", "summary": step.stderr.strip() or step.stdout.strip()}]


def text_diagnostics(step: StepResult) -> list[dict[str, Any]]:
    """Error diagnostics from plain-text output (``Error: <summary>`` lines)."""
    lines = (step.stderr + step.stdout).splitlines()
    summaries = [line.split("Error: ", 1)[1].strip() for line in lines if "Error: " in line]
    return [{"severity": "error", "summary": s} for s in summaries] or [{"severity": "error", "summary": step.stderr}]


"""The plan review's vocabulary: exit codes, effective actions, risk kinds, and the
Change / Risk / StackReview / Review values every part of the review shares.

Split from ``mlops_tools.review.plan_review`` (which reads plans into these values and
re-exports them) and used by ``mlops_tools.review.plan_risks`` (which finds the risks).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from databricks_spec.diagnostics import ExitCode

EXIT_OK = ExitCode.OK
EXIT_FAILED = ExitCode.CHECK_FAILED
EXIT_BAD_INPUT = ExitCode.BAD_INPUT
EXIT_DESTRUCTIVE = ExitCode.BLOCKED
EXIT_CODES = {
    EXIT_OK: "no blocking risk (risks may still be flagged for review)",
    EXIT_FAILED: "a step failed (terraform, synth, or a plan that errored)",
    EXIT_BAD_INPUT: "bad input (missing or unreadable plan JSON, bad arguments, bad config)",
    EXIT_DESTRUCTIVE: "destructive change to a stateful resource (or its protection removed) without "
                      "--allow-destroy, or a plan Terraform refused because prevent_destroy protects a resource",
}

ACTION_ORDER = ("create", "update", "replace", "delete", "import", "move", "forget", "read", "no-op")
"""Effective actions, in the order they are counted and shown."""
ACTION_SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "import": "<=",
                 "move": "->", "forget": "x", "read": "<=", "no-op": " "}

DATA_LOSS = "data-loss"
DOWNTIME = "downtime"
SECURITY = "security"
REPLACEMENT = "replacement"
RENAME = "rename"
IDENTITY = "identity"
PROTECTION = "protection"
REFUSED = "refused"
ALERTING = "alerting"
DESTINATION = "destination"
COST = "cost"
RISK_ORDER = (REFUSED, DATA_LOSS, PROTECTION, DOWNTIME, IDENTITY, SECURITY, ALERTING, REPLACEMENT, RENAME, COST,
              DESTINATION)
RISK_TITLE = {REFUSED: "blocked destructive change", DATA_LOSS: "data loss", PROTECTION: "protection removed",
              DOWNTIME: "downtime", IDENTITY: "identity", SECURITY: "security review", ALERTING: "alert weakened",
              REPLACEMENT: "forced replacement", RENAME: "possible rename", COST: "capacity change",
              DESTINATION: "notification destination"}
LIFECYCLE_NOTE = ("Plan JSON does not contain `lifecycle`, so this review cannot see `prevent_destroy` being "
                  "turned off; `change-review` compares it between the base and the working tree.")


class PlanInputError(ValueError):
    """The input is not a readable ``terraform show -json`` plan (exit code 2)."""


@dataclass(frozen=True)
class Change:
    """One resource change with its effective action."""

    address: str
    type: str
    action: str
    """One of ACTION_ORDER."""
    actions: tuple[str, ...]
    """Terraform's own action list, e.g. ("delete", "create")."""
    mode: str = "managed"
    object: str = ""
    """Human name of the Databricks object (full_name, name, path...), '' when unknown."""
    reason: str = ""
    """Terraform's action_reason, explained, or ''."""
    changed: tuple[str, ...] = ()
    """Top-level attributes that change (update/replace)."""
    replace_paths: tuple[str, ...] = ()
    """Attributes that force the replacement (Terraform's replace_paths, or the predicted ones)."""
    predicted: bool = False
    """True when Terraform plans an in-place update the service refuses (an ``immutable`` attribute):
    the object must be recreated to apply it."""
    previous_address: str | None = None
    before: Any = None
    after: Any = None
    importing: str | None = None
    """The id of the existing object an ``import`` block adopts (Terraform's change.importing),
    else None. An import that also updates the object keeps the action ``update`` (its risks are
    an update's) and is counted under ``import`` as well, as Terraform's own summary does."""


@dataclass(frozen=True)
class Risk:
    """One thing a reviewer must look at."""

    kind: str
    """One of RISK_ORDER."""
    stack: str
    address: str
    message: str
    blocking: bool = False
    overridable: bool = True
    """Whether ``--allow-destroy`` lifts the block (not for a plan Terraform itself refused)."""


@dataclass
class StackReview:
    """The review of one stack's plan."""

    stack: str
    changes: list[Change] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    """Addresses changed outside Terraform since the last apply (resource_drift)."""
    errored: bool = False
    """The plan is incomplete (Terraform set ``errored``)."""
    error: str = ""
    """Why no plan could be produced (for stacks reviewed from a stack directory)."""
    note: str = ""
    """Context shown under the stack heading (e.g. 'stack removed: every resource is deleted')."""
    refused: tuple[str, ...] = ()
    """Addresses whose lifecycle.prevent_destroy made Terraform refuse the plan; ``error`` holds
    Terraform's message. The changes, if any, are what the plan would do without the protection."""

    def counts(self) -> dict[str, int]:
        """Number of managed resources per effective action (no-op and reads left out)."""
        managed = [c for c in self.changes if c.mode == "managed"]
        counter = Counter(c.action for c in managed)
        counter["import"] += sum(1 for c in managed if c.importing is not None and c.action != "import")
        return {a: counter[a] for a in ACTION_ORDER if counter[a] and a not in ("no-op", "read")}

    @property
    def visible_changes(self) -> list[Change]:
        """Changes worth a table row: managed resources that do something."""
        return [c for c in self.changes if c.mode == "managed" and c.action not in ("no-op", "read")]

    @property
    def failed(self) -> bool:
        """No complete plan for another reason than a prevent_destroy refusal."""
        return (self.errored or bool(self.error)) and not self.refused

    @property
    def status(self) -> str:
        """'failed', 'refused' or 'planned'."""
        return "failed" if self.failed else "refused" if self.refused else "planned"


@dataclass
class Review:
    """The review of one or more stacks."""

    stacks: list[StackReview]
    allow_destroy: bool = False
    lifecycle_checked: bool = False
    """True when the review compared lifecycle.prevent_destroy of base and head (change-review)."""
    gate: bool = True
    """False for a report that gates nothing (drift): destructive changes are described, not 'blocked'."""

    @property
    def risks(self) -> list[Risk]:
        return [r for s in self.stacks for r in s.risks]

    @property
    def destructive(self) -> list[Risk]:
        """Data-loss risks (they block unless allowed)."""
        return [r for r in self.risks if r.blocking]

    @property
    def blocked(self) -> bool:
        return any(r.blocking and (not r.overridable or not self.allow_destroy) for r in self.risks)

    @property
    def exit_code(self) -> int:
        if any(s.failed for s in self.stacks):
            return EXIT_FAILED
        return EXIT_DESTRUCTIVE if self.blocked else EXIT_OK

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for stack in self.stacks:
            if stack.status == "planned":
                total.update(stack.counts())
        return {a: total[a] for a in ACTION_ORDER if total[a]}


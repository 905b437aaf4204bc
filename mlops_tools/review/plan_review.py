"""Review Terraform's machine-readable plan (``terraform show -json``) per stack.

``review_plan(stack, plan)`` turns one plan document into a :class:`StackReview`:
every resource change with one effective action, plus the risks a reviewer
must look at (see :mod:`mlops_tools.review.rules`):

* data loss: delete or replace of a stateful resource (catalog, schema,
  volume, registered model, table, experiment, ...). Blocking: the review
  exits 3 unless ``allow_destroy`` is set.
* downtime: replace or delete of a serving endpoint (and similar services).
* security: any change to grants, permissions or secret ACLs, with the
  per-principal difference.
* identity: a job's or pipeline's ``run_as``, a securable's owner, a
  principal's entitlements or a group's members change.
* refused (blocked destructive change): Terraform refused the whole plan
  because ``lifecycle.prevent_destroy`` protects a resource the plan would
  destroy. Blocking (exit 3) whatever ``allow_destroy`` says: nothing of the
  stack can be applied.
* protection removed: ``lifecycle.prevent_destroy`` of a stateful resource
  is turned off (only ``change-review`` sees this: plan JSON has no
  lifecycle). Blocking unless ``allow_destroy``.
* forced replacement: the attribute that forces it (Terraform's
  ``replace_paths``), or, when the plan shows an in-place update of an
  attribute the service refuses to change after creation (``immutable`` in
  ``databricks_spec.replacement_rules``), a *predicted* replacement: the
  apply fails unless the object is recreated.

The review is three modules: this one reads plan JSON into changes and runs the review,
``mlops_tools.review.plan_model`` holds the values (Change, Risk, StackReview, Review, exit
codes, risk kinds; re-exported here), ``mlops_tools.review.plan_risks`` finds the risks.

Exit codes of the review (see :data:`EXIT_CODES`): 0 nothing blocking,
1 a step failed (e.g. a plan could not be produced), 2 bad input,
3 destructive change to stateful resources not allowed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlops_tools.review import rules
from mlops_tools.review.plan_model import (
    ACTION_ORDER, ACTION_SYMBOL, ALERTING, COST, DATA_LOSS, DESTINATION, DOWNTIME, EXIT_BAD_INPUT, EXIT_CODES,
    EXIT_DESTRUCTIVE, EXIT_FAILED, EXIT_OK, IDENTITY, LIFECYCLE_NOTE, PROTECTION, REFUSED, RENAME, REPLACEMENT,
    RISK_ORDER, RISK_TITLE, SECURITY, Change, PlanInputError, Review, Risk, StackReview)
from mlops_tools.review.plan_risks import (access_diff, change_risks, cross_stack_moves, observability_risks,
                                           prevent_destroy_refusals, refusal_risk, renames)
from platform_config.errors import key_path

#: The review's public names (the values of plan_model and the risks of plan_risks are re-exported).
__all__ = [
    "ACTION_ORDER", "ACTION_SYMBOL", "ALERTING", "COST", "DATA_LOSS", "DESTINATION", "DOWNTIME", "EXIT_BAD_INPUT",
    "EXIT_CODES", "EXIT_DESTRUCTIVE", "EXIT_FAILED", "EXIT_OK", "IDENTITY", "LIFECYCLE_NOTE", "MAX_PLAN_BYTES",
    "PROTECTION", "REFUSED", "RENAME", "REPLACEMENT", "RISK_ORDER", "RISK_TITLE", "SECURITY", "Change",
    "PlanInputError", "Review", "Risk", "StackReview", "access_diff", "check_plan", "cross_stack_moves",
    "failed_review", "load_plan", "prevent_destroy_refusals", "refusal_risk", "refused_review", "review_plan",
    "stack_name_for",
]

MAX_PLAN_BYTES = 64 * 1024 * 1024
"""Largest plan JSON read (a bound for untrusted artifacts; real plans of this app are far smaller)."""

_REASONS = {
    "replace_because_cannot_update": "an attribute that cannot be updated in place changed",
    "replace_because_tainted": "the object is tainted",
    "replace_by_request": "replacement was requested (-replace)",
    "replace_by_triggers": "replace_triggered_by fired",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_wrong_repetition": "count/for_each was changed",
    "delete_because_count_index": "its count index is out of range",
    "delete_because_each_key": "its for_each key is gone",
    "delete_because_no_move_target": "its moved target does not exist",
    "read_because_config_unknown": "its configuration is known only after apply",
    "read_because_dependency_pending": "a dependency has pending changes",
}
_IDENTITY_KEYS = ("name", "full_name", "path", "principal", "scope", "key", "display_name", "application_id")
_SECURABLE_KEYS = ("catalog", "schema", "volume", "model", "table", "function", "external_location",
                   "storage_credential", "metastore", "share", "recipient", "foreign_connection",
                   "credential", "pipeline")


# --------------------------------------------------------------------------- input


def load_plan(path: Path) -> dict[str, Any]:
    """Read a ``terraform show -json`` document; raise PlanInputError when it is not one."""
    try:
        if Path(path).stat().st_size > MAX_PLAN_BYTES:
            raise PlanInputError(f"{path}: larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB: not read")
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanInputError(f"{path}: cannot read plan JSON ({exc})") from exc
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PlanInputError(f"{path}: not JSON ({exc.args[0]}); produce it with "
                             "`terraform show -json plan.bin > plan.json`") from exc
    check_plan(doc, str(path))
    return doc


def check_plan(doc: Any, where: str = "plan") -> None:
    """Raise PlanInputError unless ``doc`` looks like a plan from ``terraform show -json``."""
    if not isinstance(doc, dict) or "format_version" not in doc:
        raise PlanInputError(f"{where}: not a Terraform JSON plan (no format_version); produce it with "
                             "`terraform show -json plan.bin`")
    if "resource_changes" not in doc and "planned_values" not in doc and "prior_state" not in doc:
        if "values" in doc:
            raise PlanInputError(f"{where}: this is a state, not a plan (`terraform show -json` was run "
                                 "without a plan file)")
        raise PlanInputError(f"{where}: no resource_changes or planned_values: not a plan")
    if not isinstance(doc.get("resource_changes", []), list):
        raise PlanInputError(f"{where}: resource_changes is not a list")


GENERIC_PLAN_NAMES = {"plan", "tfplan", "terraform", "show", "cdk.tf"}


def stack_name_for(path: Path) -> str:
    """Stack name for a plan file: ``prod.json`` -> prod; ``stacks/prod/plan.json`` -> prod."""
    name = path.name
    for suffix in (".json", ".plan", ".tfplan"):
        name = name.removesuffix(suffix)
    parent = path.resolve().parent.name
    return parent if name in GENERIC_PLAN_NAMES and parent else name

# --------------------------------------------------------------------------- analysis


def _identity(values: Any) -> str:
    if not isinstance(values, dict):
        return ""
    parts = [values.get(k) for k in ("catalog_name", "schema_name", "name")]
    if all(isinstance(p, str) and p for p in parts):
        return ".".join(parts)
    for key in _IDENTITY_KEYS:
        value = values.get(key)
        if isinstance(value, str) and value and "${" not in value:
            return value
    for key in _SECURABLE_KEYS:
        value = values.get(key)
        if isinstance(value, str) and value:
            return f"{key} {value}"
    return ""


def _changed_attributes(before: Any, after: Any, unknown: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(attributes whose known value changes, attributes that become known only after apply)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    unknown = unknown if isinstance(unknown, dict) else {}
    known = sorted(k for k in set(before) | set(after) if not unknown.get(k) and before.get(k) != after.get(k))
    later = sorted(k for k, v in unknown.items() if v is True and before.get(k) is not None)
    return tuple(known), tuple(later)


def _effective(rc: dict[str, Any]) -> Change:
    change = rc.get("change") or {}
    actions = tuple(change.get("actions") or ("no-op",))
    type_name = rc.get("type", "")
    before, after = change.get("before"), change.get("after")
    changed, later = _changed_attributes(before, after, change.get("after_unknown"))
    replace_paths = tuple(key_path(tuple(p)) for p in change.get("replace_paths") or [] if isinstance(p, list))
    predicted = False
    if set(actions) == {"delete", "create"}:
        action = "replace"
    elif actions == ("create",):
        action = "import" if change.get("importing") else "create"
    elif actions == ("update",):
        action = "update"
        forcing = tuple(dict.fromkeys(a for a, _ in rules.predicted_replacement(type_name, before, after)))
        if forcing:
            action, replace_paths, predicted = "replace", forcing, True
    elif actions == ("delete",):
        action = "delete"
    elif actions == ("read",):
        action = "read"
    elif "forget" in actions:
        action = "forget"
    elif actions == ("no-op",):
        action = ("move" if rc.get("previous_address")
                  else "import" if change.get("importing") else "no-op")
    else:
        action = "+".join(actions)
    reason = rc.get("action_reason", "")
    return Change(
        address=rc.get("address", "?"), type=type_name, action=action, actions=actions,
        mode=rc.get("mode", "managed"), object=_identity(before) or _identity(after),
        reason=_REASONS.get(reason, reason.replace("_", " ")),
        changed=(changed + later) if action in ("update", "replace") else (),
        replace_paths=replace_paths, predicted=predicted, previous_address=rc.get("previous_address"),
        before=before, after=after, importing=_importing(change))


def _importing(change: dict[str, Any]) -> str | None:
    importing = change.get("importing")
    if not isinstance(importing, dict):
        return None
    return str(importing.get("id") or "")



def review_plan(stack: str, plan: dict[str, Any], *, note: str = "") -> StackReview:
    """Review one stack's plan document (raises PlanInputError when it is not a plan)."""
    check_plan(plan, stack)
    changes = [_effective(rc) for rc in plan.get("resource_changes") or []]
    changes.sort(key=lambda c: (ACTION_ORDER.index(c.action) if c.action in ACTION_ORDER else 99, c.address))
    risks = [r for c in changes for r in change_risks(stack, c)] + renames(stack, changes)
    risks += observability_risks(stack, changes)  # docs/observability.md
    risks.sort(key=lambda r: (RISK_ORDER.index(r.kind), r.address))
    drift = sorted(rc.get("address", "?") for rc in plan.get("resource_drift") or []
                   if (rc.get("change") or {}).get("actions") not in (["no-op"], ["read"]))
    return StackReview(stack=stack, changes=changes, risks=risks, drift=drift,
                       errored=bool(plan.get("errored")), note=note)


def refused_review(stack: str, error: str, refused: tuple[str, ...], unprotected: dict[str, Any] | None = None,
                   *, note: str = "") -> StackReview:
    """The review of a plan Terraform refused; ``unprotected`` is the plan of the same change with
    prevent_destroy lifted (what the plan would do), when available."""
    review = review_plan(stack, unprotected, note=note) if unprotected is not None else StackReview(stack, note=note)
    by_address = {c.address: c for c in review.changes}
    protected = set(refused)
    risks = [r for r in review.risks if not (r.address in protected and r.kind == DATA_LOSS)]
    risks += [refusal_risk(stack, a, by_address.get(a)) for a in refused]
    risks.sort(key=lambda r: (RISK_ORDER.index(r.kind), r.address))
    review.risks, review.error, review.refused = risks, error, tuple(refused)
    return review


def failed_review(stack: str, error: str, *, note: str = "") -> StackReview:
    """A stack whose plan could not be produced; a prevent_destroy refusal is recognised as such."""
    refused = prevent_destroy_refusals(error)
    if refused:
        return refused_review(stack, error, refused, note=note)
    return StackReview(stack, error=error or "terraform produced no plan", note=note)

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

Exit codes of the review (see :data:`EXIT_CODES`): 0 nothing blocking,
1 a step failed (e.g. a plan could not be produced), 2 bad input,
3 destructive change to stateful resources not allowed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from databricks_spec.diagnostics import ExitCode
from mlops_tools.review import rules
from mlops_tools.review.safe import code, text
from platform_config.errors import key_path

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
MAX_PLAN_BYTES = 64 * 1024 * 1024
"""Largest plan JSON read (a bound for untrusted artifacts; real plans of this app are far smaller)."""
LIFECYCLE_NOTE = ("Plan JSON does not contain `lifecycle`, so this review cannot see `prevent_destroy` being "
                  "turned off; `change-review` compares it between the base and the working tree.")

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


def _principal_map(type_name: str, values: Any) -> dict[str, set[str]]:
    """Principal -> privileges / permission levels granted by one access-control resource."""
    if not isinstance(values, dict):
        return {}
    out: dict[str, set[str]] = {}
    if type_name == "databricks_grants":
        for grant in values.get("grant") or []:
            out.setdefault(_who(grant.get("principal")), set()).update(grant.get("privileges") or [])
    elif type_name == "databricks_grant":
        out.setdefault(_who(values.get("principal")), set()).update(values.get("privileges") or [])
    elif type_name == "databricks_permissions":
        for acl in values.get("access_control") or []:
            who = acl.get("group_name") or acl.get("user_name") or acl.get("service_principal_name")
            if who and acl.get("permission_level"):
                out.setdefault(str(who), set()).add(acl["permission_level"])
    elif type_name == "databricks_secret_acl":
        if values.get("permission"):
            out[_who(values.get("principal"))] = {str(values["permission"])}
    return out


def _who(principal: Any) -> str:
    return str(principal) if principal else "(principal known after apply)"


def access_diff(change: Change) -> list[str]:
    """Per-principal difference, e.g. ```analysts: +EXECUTE -READ_VOLUME``` (one code span per
    principal, sorted by principal)."""
    before = _principal_map(change.type, change.before if change.action != "create" else None)
    after = _principal_map(change.type, change.after if change.action != "delete" else None)
    lines = []
    for who in sorted(set(before) | set(after)):
        added, removed = sorted(after.get(who, set()) - before.get(who, set())), \
            sorted(before.get(who, set()) - after.get(who, set()))
        if added or removed:
            lines.append(code(f"{who}: " + " ".join([f"+{p}" for p in added] + [f"-{p}" for p in removed])))
    return lines


_PAST = {"create": "created", "update": "updated", "replace": "replaced", "delete": "deleted",
         "import": "imported"}


def _what(change: Change) -> str:
    return code(change.address) + (f" ({code(change.object)})" if change.object else "")


def _replaced(change: Change) -> str:
    """'replaced (`name` changed [registered_model.md: ...])', marked when predicted."""
    forced = ", ".join(code(p) for p in change.replace_paths)
    sources = sorted({src for p in change.replace_paths if (src := rules.explain(change.type, p))})
    why = f" [{'; '.join(sources)}]" if sources else ""
    return f"replaced ({'predicted: ' if change.predicted else ''}{forced or 'an attribute'} changed{why})"


def _risks(stack: str, change: Change) -> list[Risk]:
    risks = []
    destructive = change.action in ("delete", "replace")
    if change.action == "replace":
        how = _replaced(change)
    else:
        how = f"deleted ({text(change.reason)})" if change.reason else "deleted"
    if destructive and change.type in rules.STATEFUL:
        extra = ""
        if isinstance(change.before, dict) and change.before.get("force_destroy"):
            extra = "; force_destroy is set, so everything inside is dropped too"
        risks.append(Risk(DATA_LOSS, stack, change.address,
                          f"{_what(change)} is {how}: {rules.STATEFUL[change.type]}{extra}", blocking=True))
    elif destructive and change.type in rules.DOWNTIME:
        impact = rules.DOWNTIME[change.type] if change.action == "replace" else "every client that calls it fails"
        risks.append(Risk(DOWNTIME, stack, change.address, f"{_what(change)} is {how}: {impact}"))
    elif change.action == "replace":
        risks.append(Risk(REPLACEMENT, stack, change.address, f"{_what(change)} is {how}"))
    if change.action == "update" and (capacity := rules.capacity_change(change.type, change.before, change.after)):
        attribute, old, new, direction = capacity
        risks.append(Risk(COST, stack, change.address,
                          f"{_what(change)}: {attribute} {code(old)} -> {code(new)} ({direction})"))
    if change.type in rules.ACCESS_CONTROL and change.action not in ("no-op", "read", "move", "forget"):
        diff = access_diff(change)
        detail = "; ".join(diff) if diff else ("all access it granted is revoked" if change.action == "delete"
                                              else "access changes")
        done = _PAST.get(change.action, change.action)
        risks.append(Risk(SECURITY, stack, change.address,
                          f"{_what(change)} {done}: {rules.ACCESS_CONTROL[change.type]}"
                          f"{rules.permission_object(change.before, change.after)}: {detail}"))
    risks += _identity_risks(stack, change)
    return risks


def _principal(block: Any) -> str:
    """'service principal <id>' / 'user <name>' for a run_as block (a list of one in plan JSON)."""
    if isinstance(block, list):
        block = block[0] if block else None
    if isinstance(block, dict):
        if block.get("service_principal_name"):
            return f"service principal {code(block['service_principal_name'])}"
        if block.get("user_name"):
            return f"user {code(block['user_name'])}"
    return "whoever deploys it (run_as unset)"


def _entitlement_diff(change: Change) -> list[str]:
    before = change.before if isinstance(change.before, dict) and change.action != "create" else {}
    after = change.after if isinstance(change.after, dict) and change.action != "delete" else {}
    out = []
    for name in rules.ENTITLEMENTS:
        was, now = bool(before.get(name)), bool(after.get(name))
        if was != now:
            out.append(("+" if now else "-") + name)
    return out


def _identity_risks(stack: str, change: Change) -> list[Risk]:
    """Who runs, owns, is entitled to or belongs to what: run_as, owner, entitlements, membership."""
    if change.action in ("no-op", "read", "move", "forget", "import"):
        return []
    before = change.before if isinstance(change.before, dict) else {}
    after = change.after if isinstance(change.after, dict) else {}
    out = []
    changing = change.action in ("update", "replace")
    if change.type in rules.RUN_AS_TYPES and changing and before.get("run_as") != after.get("run_as"):
        kind = rules.RUN_AS_TYPES[change.type]
        out.append(Risk(IDENTITY, stack, change.address,
                        f"{_what(change)}: the {kind} now runs as {_principal(after.get('run_as'))} "
                        f"(was: {_principal(before.get('run_as'))}); its runs get that principal's privileges"))
    elif change.type in rules.RUN_AS_TYPES and change.action == "create" and after.get("run_as"):
        kind = rules.RUN_AS_TYPES[change.type]
        out.append(Risk(IDENTITY, stack, change.address,
                        f"{_what(change)}: the new {kind} runs as {_principal(after.get('run_as'))}; "
                        "its runs get that principal's privileges"))
    owner = rules.OWNER_ATTRIBUTE
    if changing and owner in after and before.get(owner) != after.get(owner) and after.get(owner) is not None:
        out.append(Risk(IDENTITY, stack, change.address,
                        f"{_what(change)}: owner changes from {code(before.get(owner) or 'unset')} to "
                        f"{code(after[owner])}; the owner holds every privilege and can grant them"))
    if change.type in rules.PRINCIPAL_TYPES or change.type == "databricks_entitlements":
        diff = _entitlement_diff(change)
        if diff:
            who = rules.PRINCIPAL_TYPES.get(change.type, "principal")
            done = _PAST.get(change.action, change.action)
            out.append(Risk(IDENTITY, stack, change.address,
                            f"{_what(change)} {done}: {who} entitlements {' '.join(diff)}"))
    if change.type == rules.MEMBERSHIP:
        values = after if change.action != "delete" else before
        member = code(values.get("member_id") or "(known after apply)")
        group = code(values.get("group_id") or "(known after apply)")
        verb = {"create": "joins", "delete": "leaves"}.get(change.action, "changes membership of")
        out.append(Risk(IDENTITY, stack, change.address,
                        f"{code(change.address)}: member {member} {verb} group {group}; members inherit "
                        "the group's grants and entitlements"))
    return out


_REFUSAL = re.compile(r"Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set,\s+but\s+the\s+plan\s+calls"
                      r"\s+for\s+this\s+resource\s+to\s+be\s+destroyed")


def prevent_destroy_refusals(terraform_output: str) -> tuple[str, ...]:
    """Addresses Terraform names in "Instance cannot be destroyed" errors, when those are the only
    errors of the output (else () : the plan failed for another reason too)."""
    errors = re.findall(r"Error: (.+)", terraform_output)
    addresses = tuple(dict.fromkeys(m.group(1).rstrip(".,") for m in _REFUSAL.finditer(terraform_output)))
    if not addresses or any(e.strip() != "Instance cannot be destroyed" for e in errors):
        return ()
    return addresses


def refusal_risk(stack: str, address: str, change: Change | None) -> Risk:
    """⛔ blocked: Terraform refused the stack's plan because prevent_destroy protects ``address``."""
    if change is not None and change.action in ("replace", "delete"):
        how = _replaced(change) if change.action == "replace" else \
            (f"deleted ({text(change.reason)})" if change.reason else "deleted")
        what = f"{_what(change)} would be {how}"
        loss = rules.STATEFUL.get(change.type)
        what += f": {loss}" if loss else ""
    else:
        what = f"{code(address)} would be destroyed (deleted or replaced)"
    return Risk(REFUSED, stack, address,
                f"{what}. Its lifecycle.prevent_destroy makes Terraform refuse this stack's whole plan, so "
                "nothing in the stack can be deployed: keep the attribute (or move the object with a `moved` "
                "block), or lift the protection (protection: {prevent_destroy: false, reason: ...}) in a "
                "change of its own", blocking=True, overridable=False)


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


def _renames(stack: str, changes: list[Change]) -> list[Risk]:
    """A delete and a create of the same type in one stack often is a rename of a construct id."""
    created = {c.type: c for c in changes if c.action == "create"}
    out = []
    for change in changes:
        if change.action == "delete" and change.type in created:
            new = created[change.type]
            out.append(Risk(RENAME, stack, change.address,
                            f"{_what(change)} is deleted while {code(new.address)} of the same type is created: "
                            "if this is a rename, keep the object with a `moved` block "
                            "(cdktf: `moveTo`/`moveFromId`) instead of destroying it"))
    return out


def _observability_risks(stack: str, changes: list[Change]) -> list[Risk]:
    """'alert weakened' (removed, threshold raised, schedule paused, targets removed) and every
    notification destination change (rules.alert_weakened, rules.destination_change)."""
    out = []
    for c in changes:
        weakened = rules.alert_weakened(c.type, c.action, c.before, c.after)
        if weakened:
            out.append(Risk(ALERTING, stack, c.address, f"{_what(c)}: alert weakened: {weakened}"))
        listed = rules.destination_change(c.type, c.action, c.before, c.after)
        if listed:
            out.append(Risk(DESTINATION, stack, c.address, f"`{c.address}`: {listed}"))
    return out


def cross_stack_moves(stacks: list[StackReview]) -> list[StackReview]:
    """ℹ️ for an object deleted in one stack and created (same type and name) in another: a layout
    change (per-environment <-> per-project) moves it; its state should move with it."""
    created: dict[tuple[str, str], tuple[str, str]] = {}
    for stack in stacks:
        for c in stack.changes:
            if c.action == "create" and c.mode == "managed" and c.object:
                created.setdefault((c.type, c.object), (stack.stack, c.address))
    for stack in stacks:
        for c in stack.changes:
            other = created.get((c.type, c.object)) if c.action == "delete" and c.object else None
            if other is None or other[0] == stack.stack:
                continue
            stack.risks.append(Risk(
                RENAME, stack.stack, c.address,
                f"{_what(c)} is deleted here and created in stack {code(other[0])} as {code(other[1])}: a layout "
                "change moves objects between stacks; move the state too (`terraform state rm` here, an "
                "`import` block there) instead of destroying and recreating the object"))
        stack.risks.sort(key=lambda r: (RISK_ORDER.index(r.kind), r.address))
    return stacks


def review_plan(stack: str, plan: dict[str, Any], *, note: str = "") -> StackReview:
    """Review one stack's plan document (raises PlanInputError when it is not a plan)."""
    check_plan(plan, stack)
    changes = [_effective(rc) for rc in plan.get("resource_changes") or []]
    changes.sort(key=lambda c: (ACTION_ORDER.index(c.action) if c.action in ACTION_ORDER else 99, c.address))
    risks = [r for c in changes for r in _risks(stack, c)] + _renames(stack, changes)
    risks += _observability_risks(stack, changes)  # docs/observability.md
    risks.sort(key=lambda r: (RISK_ORDER.index(r.kind), r.address))
    drift = sorted(rc.get("address", "?") for rc in plan.get("resource_drift") or []
                   if (rc.get("change") or {}).get("actions") not in (["no-op"], ["read"]))
    return StackReview(stack=stack, changes=changes, risks=risks, drift=drift,
                       errored=bool(plan.get("errored")), note=note)

"""The risks of one stack's changes: data loss, downtime, security, identity, capacity,
alerting, renames, forced replacements, refusals by prevent_destroy and cross-stack moves
(see :mod:`mlops_tools.review.rules` for the tables that drive them).

Split from ``mlops_tools.review.plan_review``, which calls :func:`change_risks`,
:func:`renames` and :func:`observability_risks` for every plan it reviews.
"""

from __future__ import annotations

import re
from typing import Any

from mlops_tools.review import rules
from mlops_tools.review.plan_model import (ALERTING, COST, DATA_LOSS, DESTINATION, DOWNTIME, IDENTITY,
                                           REFUSED, RENAME, REPLACEMENT, RISK_ORDER, SECURITY, Change, Risk,
                                           StackReview)
from mlops_tools.review.safe import code, text


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


def change_risks(stack: str, change: Change) -> list[Risk]:
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


def renames(stack: str, changes: list[Change]) -> list[Risk]:
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


def observability_risks(stack: str, changes: list[Change]) -> list[Risk]:
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


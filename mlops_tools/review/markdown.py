"""Render a plan :class:`~mlops_tools.review.plan_review.Review` as GitHub-flavoured Markdown.

Layout: a heading, a headline (failed and refused stacks counted first), a
verdict (blocked / allowed / risks / clean), a summary table (one row per
stack: counts by action and risks), the risk list, then per stack a
collapsible table of changes (action, address, type, object, detail).
Output is deterministic (sorted) so a re-run updates a PR comment without
spurious edits. ``max_chars`` keeps it under GitHub's 65,536-character comment
limit by dropping the per-stack tables first.

Every value taken from a plan (addresses, names, principals, Terraform's
messages) goes through :mod:`mlops_tools.review.safe`: plan JSON is data,
possibly from a fork's pull request, and never becomes Markdown, HTML or a
mention. Only the title (given by the caller) is written as is.
"""

from __future__ import annotations

from mlops_tools.review.plan_review import (ACTION_SYMBOL, ALERTING, COST, DATA_LOSS, DESTINATION, DOWNTIME,
                                            IDENTITY, LIFECYCLE_NOTE, PROTECTION, REFUSED, RENAME, REPLACEMENT,
                                            RISK_TITLE, SECURITY, Change, Review, StackReview)
from mlops_tools.review.safe import code, fence, text

RISK_ICON = {REFUSED: "⛔", DATA_LOSS: "⛔", PROTECTION: "⛔", DOWNTIME: "⚠️", IDENTITY: "🔐", SECURITY: "🔐",
             ALERTING: "🔕", REPLACEMENT: "♻️", RENAME: "ℹ️", COST: "💰", DESTINATION: "📣"}
COUNT_COLUMNS = ("create", "update", "replace", "delete")
ALLOW_HINT = ("If the data loss is intended, re-run with `--allow-destroy` "
              "(on a pull request: add the label `allow-destroy`).")
MAX_ERROR_CHARS = 2000


def cell(value: str) -> str:
    """Make already-safe Markdown fit one table cell."""
    return value.replace("\r", " ").replace("\n", " ")


def _detail(change: Change) -> str:
    if change.action == "replace":
        forced = ", ".join(code(p) for p in change.replace_paths)
        if change.predicted:
            return f"{forced} cannot change in place: recreation needed (predicted)"
        return f"forced by {forced}" if forced else text(change.reason or "")
    if change.action == "update":
        changes = "changes " + ", ".join(code(a) for a in change.changed) if change.changed else ""
        if change.importing is not None:  # an import block adopts the object, then updates it
            return f"imports {code(change.importing)}" + (f", then {changes}" if changes else "")
        return changes
    if change.action == "move":
        return f"moved from {code(change.previous_address)}"
    if change.action in ("delete", "forget"):
        return text(change.reason)
    return ""


def _counts_text(stack: StackReview) -> str:
    counts = ", ".join(f"{n} to {text(a)}" for a, n in stack.counts().items())
    if stack.status == "failed":
        return "plan failed" + (f" (incomplete plan: {counts})" if counts else "")
    if stack.status == "refused":
        return "plan refused by Terraform (prevent_destroy)" + (f"; without the protection: {counts}"
                                                                if counts else "")
    return counts or "no changes"


def headline(review: Review) -> str:
    """'3 stack(s): 1 failed (`a`), 1 refused (`b`); the other 1: 2 to create.' Failed stacks
    come first: a stack without a plan is never summarized as 'no changes'."""
    summary = ", ".join(f"{n} to {text(a)}" for a, n in review.totals().items()) or "no changes"
    parts = []
    for status in ("failed", "refused"):
        names = [s.stack for s in review.stacks if s.status == status]
        if names:
            parts.append(f"{len(names)} {status} ({', '.join(code(n) for n in names)})")
    if not parts:
        return f"{len(review.stacks)} stack(s): {summary}."
    rest = sum(s.status == "planned" for s in review.stacks)
    return (f"{len(review.stacks)} stack(s): {', '.join(parts)}"
            + (f"; the other {rest}: {summary}." if rest else "."))


def _verdict(review: Review) -> list[str]:
    destructive = review.destructive
    failed = [s.stack for s in review.stacks if s.failed]
    refused = [r for r in review.risks if r.kind == REFUSED]
    lines = []
    if failed:
        lines += ["> [!CAUTION]", f"> No complete plan for {', '.join(code(s) for s in failed)}: "
                  "the review below is incomplete.", ""]
    if refused:
        lines += ["> [!CAUTION]",
                  f"> **Blocked:** Terraform refused the plan: {len(refused)} protected resource(s) "
                  "(lifecycle.prevent_destroy) would be destroyed. `--allow-destroy` cannot lift this.", ""]
    elif destructive and not review.gate:
        lines += ["> [!WARNING]",
                  f"> {len(destructive)} destructive change(s) to stateful resources: deploying the "
                  "configuration as it is would need `allow-destroy`.", ""]
    elif destructive and review.blocked:
        lines += ["> [!CAUTION]",
                  f"> **Blocked:** {len(destructive)} destructive change(s) to stateful resources "
                  "(data would be lost, or its protection removed). " + ALLOW_HINT, ""]
    elif destructive:
        lines += ["> [!WARNING]",
                  f"> {len(destructive)} destructive change(s) to stateful resources, allowed by "
                  "`--allow-destroy`.", ""]
    elif review.risks:
        lines += ["> [!NOTE]", f"> {len(review.risks)} change(s) flagged for review; nothing destructive.", ""]
    elif not failed:
        lines += ["No risky changes." if review.totals() else "No changes.", ""]
    if not review.lifecycle_checked:
        lines += [f"_{LIFECYCLE_NOTE}_", ""]
    return lines


def _summary_table(review: Review) -> list[str]:
    lines = ["| stack | " + " | ".join(COUNT_COLUMNS) + " | other | risks |",
             "| --- | " + " | ".join("---:" for _ in COUNT_COLUMNS) + " | --- | --- |"]
    for stack in review.stacks:
        counts = stack.counts()
        other = ", ".join(f"{n} {text(a)}" for a, n in counts.items() if a not in COUNT_COLUMNS)
        icons = dict.fromkeys(RISK_ICON[k] for k in sorted({r.kind for r in stack.risks}, key=list(RISK_ICON).index))
        risks = " ".join(f"{icon} {sum(RISK_ICON[r.kind] == icon for r in stack.risks)}" for icon in icons)
        if stack.failed:
            risks = ("❌ plan failed " + risks).strip()
        elif stack.refused:
            risks = ("⛔ refused " + risks).strip()
        numbers = [str(counts.get(a, 0)) if stack.status == "planned" else "?" for a in COUNT_COLUMNS]
        lines.append(f"| {code(stack.stack)} | " + " | ".join(numbers)
                     + f" | {other or '-'} | {risks or '-'} |")
    return lines


def _risk_list(review: Review, limit: int | None = None) -> list[str]:
    risks = review.risks
    if not risks:
        return []
    lines = ["#### Risks", ""]
    shown = risks if limit is None else risks[:limit]
    multi = len(review.stacks) > 1
    for risk in shown:
        where = f"{code(risk.stack)} " if multi else ""
        lines.append(f"- {RISK_ICON[risk.kind]} **{RISK_TITLE[risk.kind]}** {where}{cell(risk.message)}")
    if len(shown) < len(risks):
        lines.append(f"- … {len(risks) - len(shown)} more (see the full review in the workflow artifact)")
    lines.append("")
    return lines


def _stack_section(stack: StackReview, *, tables: bool) -> list[str]:
    lines = [f"#### {code(stack.stack)}: {_counts_text(stack)}", ""]
    if stack.note:
        lines += [f"_{text(stack.note, 500)}_", ""]
    if stack.error:
        lines += ["Terraform refused the plan:" if stack.refused else "Plan failed:", "",
                  *fence(stack.error.strip(), MAX_ERROR_CHARS), ""]
    if stack.errored:
        lines += ["Terraform reported an error while planning: the plan is incomplete.", ""]
    if stack.drift:
        lines += [f"{len(stack.drift)} resource(s) changed outside Terraform since the last apply: "
                  + ", ".join(code(a) for a in stack.drift[:20]) + ("…" if len(stack.drift) > 20 else ""), ""]
    changes = stack.visible_changes
    if changes and tables:
        lines += [f"<details><summary>{len(changes)} change(s)</summary>", "",
                  "| action | address | type | object | detail |", "| --- | --- | --- | --- | --- |"]
        for c in changes:
            lines.append(f"| {ACTION_SYMBOL.get(c.action, '?')} {text(c.action)} | {code(c.address)} "
                         f"| {code(c.type)} | {code(c.object) if c.object else ''} | {cell(_detail(c))} |")
        lines += ["", "</details>", ""]
    return lines


def render(review: Review, *, title: str = "Plan review", max_chars: int | None = None) -> str:
    """The review as Markdown, at most ``max_chars`` long when given."""
    out = _render(review, title=title, tables=True, risk_limit=None)
    if max_chars is None or len(out) <= max_chars:
        return out
    out = _render(review, title=title, tables=False, risk_limit=None)
    limit = 50
    while len(out) > max_chars and limit > 0:
        out = _render(review, title=title, tables=False, risk_limit=limit)
        limit //= 2
    return out[:max_chars]


def _render(review: Review, *, title: str, tables: bool, risk_limit: int | None) -> str:
    lines = [f"### {title}", "", headline(review), ""]
    lines += _verdict(review)
    if review.stacks:
        lines += _summary_table(review) + [""]
    lines += _risk_list(review, risk_limit)
    for stack in review.stacks:
        lines += _stack_section(stack, tables=tables)
    if not tables:
        lines += ["_Per-stack change tables omitted to fit the comment size limit; the full review is in "
                  "the workflow's job summary and artifact._", ""]
    return "\n".join(lines).rstrip() + "\n"

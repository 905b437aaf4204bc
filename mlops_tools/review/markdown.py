"""Render a plan :class:`~mlops_tools.review.plan_review.Review` as GitHub-flavoured Markdown.

Layout: a heading, a verdict (blocked / allowed / risks / clean), a summary
table (one row per stack: counts by action and risks), the risk list, then per
stack a collapsible table of changes (action, address, type, object, detail).
Output is deterministic (sorted) so a re-run updates a PR comment without
spurious edits. ``max_chars`` keeps it under GitHub's 65,536-character comment
limit by dropping the per-stack tables first.
"""

from __future__ import annotations

from mlops_tools.review.plan_review import (ACTION_SYMBOL, ALERTING, DATA_LOSS, DESTINATION, DOWNTIME, RENAME,
                                            REPLACEMENT, RISK_TITLE, SECURITY, Change, Review, StackReview)

RISK_ICON = {DATA_LOSS: "⛔", DOWNTIME: "⚠️", SECURITY: "🔐", ALERTING: "🔕", REPLACEMENT: "♻️", RENAME: "ℹ️",
             DESTINATION: "📣"}
COUNT_COLUMNS = ("create", "update", "replace", "delete")
ALLOW_HINT = ("If the data loss is intended, re-run with `--allow-destroy` "
              "(on a pull request: add the label `allow-destroy`).")
MAX_ERROR_CHARS = 2000


def cell(text: str) -> str:
    """Make text safe for one Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _detail(change: Change) -> str:
    if change.action == "replace":
        forced = ", ".join(f"`{p}`" for p in change.replace_paths)
        if change.predicted:
            return f"{forced} cannot change in place: recreation needed (predicted)"
        return f"forced by {forced}" if forced else (change.reason or "")
    if change.action == "update":
        return "changes " + ", ".join(f"`{a}`" for a in change.changed) if change.changed else ""
    if change.action == "move":
        return f"moved from `{change.previous_address}`"
    if change.action in ("delete", "forget"):
        return change.reason
    return ""


def _counts_text(stack: StackReview) -> str:
    counts = stack.counts()
    if not counts:
        return "no changes"
    return ", ".join(f"{n} to {a}" for a, n in counts.items())


def _verdict(review: Review) -> list[str]:
    destructive = review.destructive
    failed = [s.stack for s in review.stacks if s.failed]
    lines = []
    if failed:
        lines += ["> [!CAUTION]", f"> No complete plan for {', '.join(f'`{s}`' for s in failed)}: "
                  "the review below is incomplete.", ""]
    if destructive and review.blocked:
        lines += ["> [!CAUTION]",
                  f"> **Blocked:** {len(destructive)} destructive change(s) to stateful resources "
                  "(data would be lost). " + ALLOW_HINT, ""]
    elif destructive:
        lines += ["> [!WARNING]",
                  f"> {len(destructive)} destructive change(s) to stateful resources, allowed by "
                  "`--allow-destroy`.", ""]
    elif review.risks:
        lines += ["> [!NOTE]", f"> {len(review.risks)} change(s) flagged for review; nothing destructive.", ""]
    elif not failed:
        lines += ["No risky changes." if review.totals() else "No changes.", ""]
    return lines


def _summary_table(review: Review) -> list[str]:
    lines = ["| stack | " + " | ".join(COUNT_COLUMNS) + " | other | risks |",
             "| --- | " + " | ".join("---:" for _ in COUNT_COLUMNS) + " | --- | --- |"]
    for stack in review.stacks:
        counts = stack.counts()
        other = ", ".join(f"{n} {a}" for a, n in counts.items() if a not in COUNT_COLUMNS)
        kinds = sorted({r.kind for r in stack.risks}, key=list(RISK_ICON).index)
        risks = " ".join(f"{RISK_ICON[k]} {sum(r.kind == k for r in stack.risks)}" for k in kinds)
        if stack.failed:
            risks = ("❌ plan failed " + risks).strip()
        lines.append(f"| `{cell(stack.stack)}` | " + " | ".join(str(counts.get(a, 0)) for a in COUNT_COLUMNS)
                     + f" | {cell(other) or '-'} | {risks or '-'} |")
    return lines


def _risk_list(review: Review, limit: int | None = None) -> list[str]:
    risks = review.risks
    if not risks:
        return []
    lines = ["#### Risks", ""]
    shown = risks if limit is None else risks[:limit]
    multi = len(review.stacks) > 1
    for risk in shown:
        where = f"`{risk.stack}` " if multi else ""
        lines.append(f"- {RISK_ICON[risk.kind]} **{RISK_TITLE[risk.kind]}** {where}{risk.message.replace(chr(10), ' ')}")
    if len(shown) < len(risks):
        lines.append(f"- … {len(risks) - len(shown)} more (see the full review in the workflow artifact)")
    lines.append("")
    return lines


def _stack_section(stack: StackReview, *, tables: bool) -> list[str]:
    lines = [f"#### `{stack.stack}`: {_counts_text(stack)}", ""]
    if stack.note:
        lines += [f"_{stack.note}_", ""]
    if stack.error:
        text = stack.error.strip()
        if len(text) > MAX_ERROR_CHARS:
            text = text[:MAX_ERROR_CHARS] + "\n…"
        lines += ["Plan failed:", "", "```text", text.replace("```", "'''"), "```", ""]
    if stack.errored:
        lines += ["Terraform reported an error while planning: the plan is incomplete.", ""]
    if stack.drift:
        lines += [f"{len(stack.drift)} resource(s) changed outside Terraform since the last apply: "
                  + ", ".join(f"`{a}`" for a in stack.drift[:20]) + ("…" if len(stack.drift) > 20 else ""), ""]
    changes = stack.visible_changes
    if changes and tables:
        lines += [f"<details><summary>{len(changes)} change(s)</summary>", "",
                  "| action | address | type | object | detail |", "| --- | --- | --- | --- | --- |"]
        for c in changes:
            lines.append(f"| {ACTION_SYMBOL.get(c.action, '?')} {c.action} | `{cell(c.address)}` | {cell(c.type)} "
                         f"| {cell(c.object)} | {cell(_detail(c))} |")
        lines += ["", "</details>", ""]
    return lines


def render(review: Review, *, title: str = "Plan review", max_chars: int | None = None) -> str:
    """The review as Markdown, at most ``max_chars`` long when given."""
    text = _render(review, title=title, tables=True, risk_limit=None)
    if max_chars is None or len(text) <= max_chars:
        return text
    text = _render(review, title=title, tables=False, risk_limit=None)
    limit = 50
    while len(text) > max_chars and limit > 0:
        text = _render(review, title=title, tables=False, risk_limit=limit)
        limit //= 2
    return text[:max_chars]


def _render(review: Review, *, title: str, tables: bool, risk_limit: int | None) -> str:
    totals = review.totals()
    summary = ", ".join(f"{n} to {a}" for a, n in totals.items()) or "no changes"
    lines = [f"### {title}", "", f"{len(review.stacks)} stack(s): {summary}.", ""]
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

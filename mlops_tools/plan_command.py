"""``mlops plan``: synthesize, then real ``terraform init/validate/plan`` of each stack offline.

Order of work, so that nothing is rewritten when the command cannot run:

1. terraform must be on PATH (else exit 2 on stderr, before any synth);
2. config is loaded and the ``--env`` / ``--stack`` names are checked (exit 2);
3. the stacks are synthesized into the outdir, then planned one by one.

Output: progress on stderr (``[3/51] dev-churn: plan…`` with timings and a heartbeat,
see :mod:`mlops_tools.progress`); on stdout the summary table comes first, then, with
``--verbose``, every full plan. Full plans are always written to
``<outdir>/plans/<stack>.txt``; the failure text of a failed stack is printed on stderr.
Exit codes: 0 every stack planned, 1 a stack failed, 2 bad input or no terraform.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from databricks_spec.diagnostics import ExitCode
from mlops_tools.errors import ToolMissing, UsageError
from mlops_tools.progress import Progress, paint, seconds_text, use_color
from mlops_tools.registry import Registry

PLANS_DIR = "plans"


@dataclass(frozen=True)
class PlanRow:
    stack: str
    ok: bool
    counts: dict[str, int]
    seconds: float
    plan_file: Path
    text: str


def require_terraform() -> str:
    from mlops_tools.offline.harness import TerraformNotFound, terraform_binary

    try:
        return terraform_binary()
    except TerraformNotFound as exc:
        raise ToolMissing.of(f"terraform not found: {exc}") from None


def format_rows(rows: list[PlanRow], *, color: bool = False, root: Path | None = None) -> str:
    root = root or Path.cwd()
    # an "import" column only when some stack imports (config/imports/<env>.yaml, docs/adopting.md)
    kinds = ("import", "add", "change", "destroy") if any(r.counts.get("import") for r in rows) \
        else ("add", "change", "destroy")
    header = ("stack", "result", *kinds, "time", "plan")
    table = [header]
    for r in rows:
        try:
            shown = r.plan_file.relative_to(root)
        except ValueError:
            shown = r.plan_file
        counts = [str(r.counts.get(k, 0)) if r.ok else "-" for k in kinds]
        table.append((r.stack, "ok" if r.ok else "FAILED", *counts, seconds_text(r.seconds), str(shown)))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    right = set(range(2, 3 + len(kinds)))

    def line(row: tuple[str, ...], painted: bool = False) -> str:
        cells = [f"{c:>{widths[i]}}" if i in right else f"{c:<{widths[i]}}" for i, c in enumerate(row)]
        if painted and color:
            cells[1] = paint(cells[1], "ok" if row[1] == "ok" else "failed", True)
        return "  ".join(cells).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(row, painted=True) for row in table[1:]]
    failed = sum(not r.ok for r in rows)
    lines.append(f"{len(rows)} stack(s): {len(rows) - failed} planned, {failed} failed")
    return "\n".join(lines)


def _verify_all(stack_dirs: list[Path], on_event) -> list:
    """VerifyResult per stack, in order: the harness's parallel ``verify_stacks`` where it has
    one (the perf branch), else one stack after the other."""
    from mlops_tools.offline import harness

    parallel = getattr(harness, "verify_stacks", None)
    if parallel is not None:
        return parallel(stack_dirs, plan=True, plan_json=False, on_event=on_event)  # text and counts suffice
    return [harness.verify_stack(stack_dir, on_event=on_event) for stack_dir in stack_dirs]


def plan_stacks_offline(stack_dirs: list[Path], plans_dir: Path, progress: Progress) -> list[PlanRow]:
    """Plan each stack offline (reporting through ``progress.on_event``); write each plan file."""
    plans_dir.mkdir(parents=True, exist_ok=True)
    started: dict[str, float] = {}
    finished: dict[str, float] = {}

    def on_event(stack: str, phase: str, seconds: float | None) -> None:
        started.setdefault(stack, time.monotonic())
        finished[stack] = time.monotonic()
        progress.on_event(stack, phase, seconds)

    rows = []
    for stack_dir, result in zip(stack_dirs, _verify_all(stack_dirs, on_event)):
        name = stack_dir.name
        seconds = finished.get(name, 0.0) - started.get(name, 0.0)
        progress.finish(name, result.ok, seconds)
        text = result.plan_text.strip() if result.ok else result.failure_text()
        plan_file = plans_dir / f"{name}.txt"
        plan_file.write_text(text + "\n")
        counts = {**result.counts(), "import": result.import_count()} if result.ok else {}
        rows.append(PlanRow(name, result.ok, counts, seconds, plan_file, text))
    return rows


def cmd_plan(args: argparse.Namespace) -> int:
    from mlops_tools.synth import dev_user_target, load, synth
    from stacks.layout import plan_stacks

    require_terraform()
    platform = load(args.config)
    if args.dev_user is not None:  # one developer's dev target (docs/code-delivery.md, Dev isolation)
        platform = dev_user_target(platform, args.dev_user, args.env)
    specs = plan_stacks(platform)
    unknown = sorted(set(args.env) - set(platform.environments)) + sorted(set(args.stack) - {s.name for s in specs})
    if unknown:
        raise UsageError.of(f"unknown environment or stack: {', '.join(unknown)}",
                            detail=f"known environments: {', '.join(sorted(platform.environments))}")
    wanted = [s.name for s in specs
              if (not args.env or s.env in args.env) and (not args.stack or s.name in args.stack)]
    color = use_color(sys.stderr)
    progress = Progress(wanted, color=color, heartbeat=args.heartbeat)
    start = time.monotonic()
    progress.note(f"synthesizing {len(specs)} stack(s)…")
    paths = {s.name: s.path.parent for s in synth(args.config, args.outdir, args.dev_user, args.env)}
    progress.note(f"synthesized in {seconds_text(time.monotonic() - start)}; planning {len(wanted)} stack(s) offline")
    with progress:
        rows = plan_stacks_offline([paths[name] for name in wanted], Path(args.outdir) / PLANS_DIR, progress)
    print(format_rows(rows, color=use_color(sys.stdout)))
    for row in rows:
        if args.verbose and row.ok:
            print(f"\n=== {row.stack} ===\n{row.text}")
        if not row.ok:
            print(f"\n=== {row.stack}: FAILED ===\n{row.text}", file=sys.stderr)
    sys.stdout.flush()
    return ExitCode.CHECK_FAILED if any(not r.ok for r in rows) else ExitCode.OK


def register(registry: Registry) -> None:
    plan = registry.add("plan", cmd_plan, help="offline terraform validate + plan of each stack (no credentials)",
                        shared=("config", "outdir", "verbose", "dev_user"),
                        description="Synthesize, then run real terraform init, validate and plan of each "
                                    "stack against the offline stand-in provider (no credentials, no "
                                    "network). The summary table comes first; full plans are written to "
                                    "<outdir>/plans/<stack>.txt (and printed with --verbose).")
    plan.add_argument("--env", action="append", default=[], metavar="ENV",
                      help="environment(s) to plan (repeatable; default: all)")
    plan.add_argument("--stack", action="append", default=[], metavar="STACK",
                      help="stack(s) to plan (repeatable; default: all)")
    plan.add_argument("--heartbeat", type=float, default=15.0, metavar="SECONDS",
                      help="report a step still running after this long (default: 15; 0: never)")

"""Sub-commands ``review``, ``change-review`` and ``stacks`` of ``python -m mlops_tools``.

Exit codes (all three): 0 ok; 1 a step failed (terraform, synth, a plan that
could not be produced); 2 bad input (unreadable plan JSON, unknown revision or
environment, bad arguments); 3 the review found a destructive change to a
stateful resource and ``--allow-destroy`` was not given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlops_tools.registry import Registry
from mlops_tools.review.plan_review import (EXIT_BAD_INPUT, EXIT_CODES, EXIT_FAILED, PlanInputError, Review,
                                            StackReview, load_plan, review_plan, stack_name_for)

EXIT_HELP = "exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODES.items())


def register(registry: Registry) -> None:
    """Register the sub-commands in the one command registry (mlops_tools/registry.py)."""
    review = registry.add(
        "review", cmd_review, help="review `terraform show -json` plans: Markdown with counts, changes and risks",
        description="Review one or more plans (terraform show -json) and print Markdown.", epilog=EXIT_HELP)
    review.add_argument("plans", nargs="*", metavar="PLAN_JSON",
                        help="plan JSON file, optionally NAME=PATH; the stack name defaults to the file "
                             "name (prod.json -> prod) or, for plan.json/tfplan.json, its directory")
    review.add_argument("--stack-dir", action="append", type=Path, default=[], metavar="DIR",
                        help="a synthesized stack directory (cdktf.out/stacks/<stack>) to plan offline "
                             "from an empty state and review (repeatable)")
    _output_options(review)
    review.set_defaults(title="Plan review")

    change = registry.add(
        "change-review", cmd_change_review, help="offline base-vs-working-tree plan review (no credentials)",
        description="Synthesize a base revision and the working tree, apply the base offline into a "
                    "scratch state, plan the working tree against it and review the plans.",
        epilog=EXIT_HELP)
    change.add_argument("--base", required=True, help="git revision to compare with (e.g. origin/main)")
    change.add_argument("--env", action="append", default=[], metavar="ENV",
                        help="only the stacks of this environment (repeatable; default: all)")
    change.add_argument("--merge-base", action="store_true",
                        help="compare with the merge base of --base and HEAD instead of --base itself")
    change.add_argument("--head-outdir", type=Path, metavar="DIR",
                        help="use this already synthesized output for the working tree (e.g. cdktf.out)")
    change.add_argument("--jobs", type=int, default=4, help="stacks reviewed in parallel (default: 4)")
    change.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the scratch directory (base tree, outputs, states) under DIR")
    _output_options(change)
    change.set_defaults(title=None)

    stacks = registry.add("stacks", cmd_stacks, help="list synthesized stacks in deploy order",
                          shared=("config", "outdir"),
                          description="Synthesized stacks of the selected environments, dependencies first.")
    stacks.add_argument("--env", action="append", default=[], metavar="ENV",
                        help="only the stacks of this environment (repeatable; default: all)")
    stacks.add_argument("--json", action="store_true",
                        help="print a JSON list of {name, environment, directory, dependencies}")


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-destroy", action="store_true",
                        help="do not fail (exit 3) on deletes or replacements of stateful resources")
    parser.add_argument("--title", help="Markdown heading (default: 'Plan review'; change-review: base, revision and environments)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="also write the Markdown to FILE")
    parser.add_argument("--max-chars", type=int, metavar="N",
                        help="keep the Markdown under N characters (GitHub comments: 65536)")


def _emit(review: Review, args: argparse.Namespace, title: str) -> int:
    from mlops_tools.review.markdown import render

    text = render(review, title=args.title or title, max_chars=args.max_chars)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    sys.stdout.write(text)
    code = review.exit_code
    if code:
        print(f"review: exit {code}: {EXIT_CODES[code]}", file=sys.stderr)
    return code


def _plan_args(items: list[str]) -> list[tuple[str, Path]]:
    out = []
    for item in items:
        name, sep, path = item.partition("=")
        if sep and name and not Path(item).exists():
            out.append((name, Path(path)))
        else:
            out.append((stack_name_for(Path(item)), Path(item)))
    return out


def cmd_review(args: argparse.Namespace) -> int:
    if not args.plans and not args.stack_dir:
        print("error: give at least one PLAN_JSON or --stack-dir", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        stacks = [review_plan(name, load_plan(path)) for name, path in _plan_args(args.plans)]
    except PlanInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.stack_dir:
        from mlops_tools.offline.harness import TerraformNotFound, verify_stack

        for stack_dir in args.stack_dir:
            if not (stack_dir / "cdk.tf.json").is_file():
                print(f"error: {stack_dir}/cdk.tf.json not found (synthesize first)", file=sys.stderr)
                return EXIT_BAD_INPUT
            try:
                result = verify_stack(stack_dir)
            except TerraformNotFound as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_FAILED
            name = stack_dir.resolve().name
            stacks.append(review_plan(name, result.plan) if result.ok and result.plan
                          else StackReview(name, error=result.failure_text() or "no plan"))
    return _emit(Review(stacks, allow_destroy=args.allow_destroy), args, "Plan review")


def cmd_change_review(args: argparse.Namespace) -> int:
    from mlops_tools.offline.harness import TerraformNotFound
    from mlops_tools.review.change_review import BadInput, ChangeReviewError, change_review

    try:
        review, sha = change_review(args.base, environments=args.env, head_outdir=args.head_outdir,
                                    merge_base=args.merge_base, allow_destroy=args.allow_destroy,
                                    jobs=args.jobs, keep=args.keep)
    except (BadInput, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ChangeReviewError, TerraformNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    envs = ", ".join(args.env) if args.env else "all environments"
    return _emit(review, args, f"Change review (offline): {args.base} ({sha[:12]}) → working tree, {envs}")


def cmd_stacks(args: argparse.Namespace) -> int:
    from mlops_tools.review.stacks import environment_names, stack_environment, stacks_for

    envs = environment_names(args.config)
    unknown = sorted(set(args.env) - set(envs))
    if unknown:
        print(f"error: unknown environment(s) {', '.join(unknown)}; known: {', '.join(envs)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        stacks = stacks_for(args.outdir, envs, args.env)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps([{"name": s.name, "environment": s.environment or stack_environment(s.name, envs),
                           "directory": str(s.directory), "dependencies": list(s.dependencies)}
                          for s in stacks], indent=2))
    else:
        for stack in stacks:
            print(stack.name)
    return 0


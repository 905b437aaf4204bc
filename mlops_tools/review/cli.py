"""Sub-commands ``review``, ``change-review``, ``stacks`` and ``drift`` of ``python -m mlops_tools``.

Exit codes: 0 ok; 1 a step failed (terraform, synth, a plan that could not be
produced); 2 bad input (unreadable plan JSON, unknown revision or environment,
bad arguments); 3 (review, change-review) the review found a destructive change
to a stateful resource and ``--allow-destroy`` was not given, or Terraform
refused a plan because prevent_destroy protects a resource; 4 (drift) a live
state differs from the configuration.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from mlops_tools.registry import Registry
from mlops_tools.review.plan_review import (EXIT_BAD_INPUT, EXIT_CODES, EXIT_FAILED, PlanInputError, Review,
                                            cross_stack_moves, failed_review, load_plan, review_plan, stack_name_for)

STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
"""What a stack name read from a file name may look like (artifacts may come from a fork)."""
MAX_ERROR_BYTES = 256 * 1024
"""Longest Terraform error output read for one stack."""

EXIT_HELP = "exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODES.items())


def register(registry: Registry) -> None:
    """Register the sub-commands in the one command registry (mlops_tools/registry.py)."""
    review = registry.add(
        "review", cmd_review, help="review `terraform show -json` plans: Markdown with counts, changes and risks",
        description="Review one or more plans (terraform show -json) and print Markdown.", epilog=EXIT_HELP)
    review.add_argument("plans", nargs="*", metavar="PLAN_JSON",
                        help="plan JSON file, optionally NAME=PATH; the stack name defaults to the file "
                             "name (prod.json -> prod) or, for plan.json/tfplan.json, its directory")
    review.add_argument("--plans-dir", type=Path, metavar="DIR",
                        help="review every <stack>.json plan in DIR, and every <stack>.error.txt (Terraform's "
                             "output of a plan that failed, e.g. refused by prevent_destroy) as a failed stack; "
                             "written by `change-review --plans-dir` and by the workflows")
    review.add_argument("--plan-error", action="append", default=[], metavar="NAME=FILE",
                        help="a stack whose plan failed: FILE holds Terraform's output (repeatable)")
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
    change.add_argument("--plans-dir", type=Path, metavar="DIR",
                        help="also write each stack's plan JSON (<stack>.json) or Terraform's error output "
                             "(<stack>.error.txt) to DIR: data for `review --plans-dir`")
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

    from mlops_tools.review.drift import DRIFT_EXIT_CODES

    drift = registry.add(
        "drift", cmd_drift, help="report drift: plan deployed environments against their live state",
        shared=("config", "outdir"),
        description="Synthesize, then `terraform plan -detailed-exitcode -lock=false` every stack of each "
                    "environment CI deploys (or --env) against its real backend with the credentials in "
                    "the environment, and write one review per environment. Nothing is applied.",
        epilog="exit codes: " + "; ".join(f"{int(c)} {t}" for c, t in DRIFT_EXIT_CODES.items()))
    drift.add_argument("--env", action="append", default=[], metavar="ENV",
                       help="environment to check (repeatable; default: every environment deployed by CI)")
    drift.add_argument("--list", action="store_true",
                       help="only print the environments deployed by CI as a JSON list (for a workflow matrix)")
    drift.add_argument("--no-synth", action="store_true", help="use the existing --outdir instead of synthesizing")
    drift.add_argument("--output-dir", type=Path, metavar="DIR",
                       help="write <env>.md (the review) and <env>.status (in-sync, drift or failed) per environment")
    drift.add_argument("--max-chars", type=int, default=60000, metavar="N",
                       help="keep each review under N characters (GitHub issue bodies: 65536; default 60000)")


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


def _read_error(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ERROR_BYTES + 1)
    except OSError as exc:
        raise PlanInputError(f"{path}: cannot read ({exc.strerror})") from exc
    out = data[:MAX_ERROR_BYTES].decode("utf-8", errors="replace")
    return out + ("\n… (cut)" if len(data) > MAX_ERROR_BYTES else "")


def _plans_dir(folder: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(plans, errors) of a plans directory; names that are not stack names are bad input."""
    if not folder.is_dir():
        raise PlanInputError(f"{folder}: not a directory")
    plans, errors = [], []
    for path in sorted(folder.iterdir()):
        for suffix, into in ((".error.txt", errors), (".json", plans)):
            if path.name.endswith(suffix) and path.is_file() and not path.is_symlink():
                name = path.name[:-len(suffix)]
                if not STACK_NAME.match(name):
                    raise PlanInputError(f"{path}: {name!r} is not a stack name")
                into.append((name, path))
                break
    if not plans and not errors:
        raise PlanInputError(f"{folder}: no <stack>.json plan or <stack>.error.txt in it")
    return plans, errors


def cmd_review(args: argparse.Namespace) -> int:
    if not args.plans and not args.stack_dir and not args.plans_dir and not args.plan_error:
        print("error: give at least one PLAN_JSON, --plans-dir, --plan-error or --stack-dir", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        plans, errors = _plans_dir(args.plans_dir) if args.plans_dir else ([], [])
        plans += _plan_args(args.plans)
        for item in args.plan_error:
            name, sep, path = item.partition("=")
            if not sep or not name:
                raise PlanInputError(f"--plan-error {item!r}: expected NAME=FILE")
            errors.append((name, Path(path)))
        stacks = [review_plan(name, load_plan(path)) for name, path in plans]
        stacks += [failed_review(name, _read_error(path)) for name, path in errors]
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
                          else failed_review(name, result.failure_text() or "no plan"))
    return _emit(Review(cross_stack_moves(stacks), allow_destroy=args.allow_destroy), args, "Plan review")


def cmd_change_review(args: argparse.Namespace) -> int:
    from mlops_tools.offline.harness import TerraformNotFound
    from mlops_tools.review.change_review import BadInput, ChangeReviewError, change_review

    try:
        review, sha = change_review(args.base, environments=args.env, head_outdir=args.head_outdir,
                                    merge_base=args.merge_base, allow_destroy=args.allow_destroy,
                                    jobs=args.jobs, keep=args.keep, plans_dir=args.plans_dir)
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


def cmd_drift(args: argparse.Namespace) -> int:
    from mlops_tools.offline.harness import TerraformNotFound, terraform_binary
    from mlops_tools.review.drift import drift, overall_exit
    from mlops_tools.review.markdown import render
    from mlops_tools.review.stacks import environment_names

    known = environment_names(args.config)
    if not args.env or args.list:
        from platform_config import load_platform
        from platform_config.delivery import deployed_by_ci

        platform = load_platform(args.config)  # ConfigError: exit 2 with file:line (main)
        deployed = sorted(name for name, env in platform.environments.items() if deployed_by_ci(env))
        if args.list:
            print(json.dumps(deployed))
            return 0
        selected = deployed
    else:
        unknown = sorted(set(args.env) - set(known))
        if unknown:
            print(f"error: unknown environment(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        selected = list(dict.fromkeys(args.env))
    if not selected:
        print("error: no environment is deployed by CI (delivery.deployed_by); name one with --env", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        terraform = terraform_binary()
    except TerraformNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.no_synth:
        from mlops_tools.synth import synth

        synth(args.config, args.outdir)
    try:
        results = drift(args.outdir, selected, known, terraform)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for result in results:
        status = "failed" if result.failed else "drift" if result.drifted else "in-sync"
        text = render(result.review, title=f"Drift: {result.environment} (live state vs. configuration)",
                      max_chars=args.max_chars)
        if args.output_dir:
            args.output_dir.mkdir(parents=True, exist_ok=True)
            (args.output_dir / f"{result.environment}.md").write_text(text)
            (args.output_dir / f"{result.environment}.status").write_text(status + "\n")
        sys.stdout.write(text)
        stacks = ", ".join(result.drifted) or "none"
        print(f"drift: {result.environment}: {status} (drifted stacks: {stacks})", file=sys.stderr)
    return overall_exit(results)


"""The ``mlops`` command line: ``python -m mlops_tools <command>``.

Commands:
  synth   validate config/ and synthesize every stack into cdktf.out (table of stacks)
  plan    synthesize, then real terraform validate + plan of each stack offline
          (no credentials, no network): --env dev, --stack dev-churn, or all
  review         Markdown review of `terraform show -json` plans; flags risky changes
  change-review  offline plan review of a git base revision vs the working tree
  stacks         synthesized stacks in deploy order (per environment)

Exit codes: 0 ok, 1 a check failed, 2 bad input (config or arguments),
3 (review, change-review) destructive change to stateful resources not allowed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlops_tools.review import cli as review_cli
from databricks_spec.diagnostics import MlopsError
from platform_config import ConfigError

DEFAULT_CONFIG = Path("config")
DEFAULT_OUTDIR = Path("cdktf.out")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlops", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    synth = sub.add_parser("synth", help="validate config and synthesize all stacks")
    _common(synth)
    synth.add_argument("--quiet", action="store_true", help="print no table")
    plan = sub.add_parser("plan", help="offline terraform validate + plan (no credentials)")
    _common(plan)
    plan.add_argument("--env", action="append", default=[], help="environment(s) to plan (default: all)")
    plan.add_argument("--stack", action="append", default=[], help="stack(s) to plan (default: all)")
    review_cli.add_parsers(sub)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="config directory (default: config)")
    parser.add_argument("--outdir", type=Path,
                        default=Path(os.environ.get("CDKTF_OUTDIR") or DEFAULT_OUTDIR),
                        help="output directory (default: $CDKTF_OUTDIR or cdktf.out)")


def _cmd_synth(args: argparse.Namespace) -> int:
    from mlops_tools.synth import format_table, synth

    summaries = synth(args.config, args.outdir)
    if not args.quiet:
        print(format_table(summaries))
        from mlops_tools.notices import read_notices  # e.g. pending endpoints, paused monitors

        sys.stdout.flush()
        for notice in read_notices(args.outdir):
            print(notice, file=sys.stderr)
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    from mlops_tools.offline.harness import offline_plan
    from mlops_tools.synth import synth
    from platform_config import load_platform
    from stacks.layout import plan_stacks

    platform = load_platform(args.config)
    unknown = sorted(set(args.env) - set(platform.environments))
    specs = plan_stacks(platform)
    unknown += sorted(set(args.stack) - {s.name for s in specs})
    if unknown:
        print(f"error: unknown environment or stack: {', '.join(unknown)}", file=sys.stderr)
        return 2
    wanted = [s.name for s in specs
              if (not args.env or s.env in args.env) and (not args.stack or s.name in args.stack)]
    paths = {s.name: s.path.parent for s in synth(args.config, args.outdir)}
    return offline_plan([paths[name] for name in wanted])


COMMANDS = {"synth": _cmd_synth, "plan": _cmd_plan, **review_cli.COMMANDS}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in configuration; nothing was written.", file=sys.stderr)
        return ConfigError.exit_code
    except ValueError as exc:
        # A construct refused its props (a provider rule the config layer did not catch
        # first). Still bad input: say what, not where in our code, unless debugging.
        if os.environ.get("MLOPS_DEBUG"):
            raise
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was written (set MLOPS_DEBUG=1 for a traceback).", file=sys.stderr)
        return ConfigError.exit_code
    except MlopsError as exc:  # e.g. an unknown MLOPS_ENGINE (mlops_engine.UnknownEngine)
        for diagnostic in exc.diagnostics:
            print(f"error: {diagnostic}", file=sys.stderr)
        return exc.exit_code

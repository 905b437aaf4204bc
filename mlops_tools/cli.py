"""The ``mlops`` command line: ``python -m mlops_tools <command>``.

Commands:
  synth   validate config/ and synthesize every stack into cdktf.out (table of stacks)

Exit codes: 0 ok, 1 a check failed, 2 bad input (config or arguments).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

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
    return 0


COMMANDS = {"synth": _cmd_synth}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in configuration; nothing was written.", file=sys.stderr)
        return ConfigError.exit_code

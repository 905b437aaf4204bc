"""The ``mlops`` command line (console script ``mlops``; also ``python -m mlops_tools``).

Commands are registered in one :class:`~mlops_tools.registry.Registry` (``mlops --help``
lists each once); the review module registers ``review``, ``change-review`` and ``stacks``.

Errors: a command raises an :class:`~databricks_spec.diagnostics.MlopsError` for anything
the user must fix (config, arguments, output folder, a missing tool); it is printed as
diagnostics and mapped to its exit code. Anything else is a bug in this product: it is
printed with its traceback and exits 70 (``ExitCode.INTERNAL``), never as "bad input".
Warnings (e.g. config warnings) are printed on stderr after the command and do not fail it.
``MLOPS_DEBUG=1`` re-raises every error with its traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback

from databricks_spec.diagnostics import Diagnostic, ExitCode, MlopsError, collect_warnings
from mlops_tools.errors import UsageError
from mlops_tools.progress import use_color
from mlops_tools.registry import Registry

DESCRIPTION = "Validate config/, synthesize every stack, plan offline, and review plans."

REGISTRY = Registry(prog="mlops", description=DESCRIPTION)
COMMANDS = REGISTRY.commands  # name -> run function


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print product, engine and provider versions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from mlops_tools.version import version_text

        try:
            text = version_text()
        except MlopsError as exc:  # e.g. an unknown $MLOPS_ENGINE
            _print_diagnostics(exc.diagnostics, use_color(sys.stderr))
            parser.exit(int(exc.exit_code))
        print(text)
        parser.exit(0)


# ----------------------------------------------------------------------------- synth

def cmd_synth(args: argparse.Namespace) -> int:
    import time

    from mlops_tools.notices import read_notices
    from mlops_tools.synth import format_table, synth

    if args.env and args.dev_user is None:
        raise UsageError.of("--env applies only with --dev-user (synth writes every environment)", key="--env")
    start = time.monotonic()
    tty = sys.stderr.isatty()
    if tty and not args.quiet:
        print("synthesizing…", file=sys.stderr, flush=True)
    summaries = synth(args.config, args.outdir, args.dev_user, args.env)
    if args.quiet:
        return ExitCode.OK
    print(format_table(summaries))
    sys.stdout.flush()
    if not args.no_notices:  # e.g. pending endpoints, paused monitors
        color = use_color(sys.stderr)
        for notice in read_notices(args.outdir):
            print(notice.render(color=color), file=sys.stderr)
    if tty:
        print(f"synthesized {len(summaries)} stack(s) in {time.monotonic() - start:.1f}s", file=sys.stderr)
    return ExitCode.OK


def _register_synth(registry: Registry) -> None:
    synth = registry.add("synth", cmd_synth, help="validate config and synthesize all stacks into the outdir",
                         shared=("config", "outdir", "dev_user"))
    synth.add_argument("--env", action="append", default=[], metavar="ENV",
                       help="with --dev-user: the environment of the dev target (default: the only "
                            "environment CI does not deploy)")
    synth.add_argument("--quiet", action="store_true", help="print no table and no notices")
    synth.add_argument("--no-notices", action="store_true",
                       help="do not print the notices of manifest.json (npx cdktf synth prints them itself)")


def _register_all(registry: Registry) -> None:
    from mlops_tools import importer_cli, new_project, plan_command, run_command, schema_command
    from mlops_tools.review import cli as review_cli

    _register_synth(registry)
    plan_command.register(registry)
    review_cli.register(registry)
    importer_cli.register(registry)  # mlops import (docs/adopting.md)
    run_command.register(registry)
    schema_command.register(registry)
    new_project.register(registry)
    registry.parser.add_argument("--version", action=_VersionAction)


_register_all(REGISTRY)


def parser() -> argparse.ArgumentParser:
    """The root parser of every registered command (for tools that introspect the CLI)."""
    return REGISTRY.parser


_parser = parser  # the older name (tests/delivery/test_workflows.py)


# ----------------------------------------------------------------------------- main

def _print_diagnostics(diagnostics: list[Diagnostic], color: bool) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.render(color=color), file=sys.stderr)


class Terminated(BaseException):
    """SIGTERM (a cancelled CI job): unwinds like Ctrl-C, so temporary output is removed."""


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = REGISTRY.parse(argv)
    handle = threading.current_thread() is threading.main_thread() \
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    if handle:
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(args)
    finally:
        if handle:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(args: argparse.Namespace) -> int:
    debug = bool(os.environ.get("MLOPS_DEBUG"))
    color = use_color(sys.stderr)
    with collect_warnings() as warnings:
        try:
            code = int(COMMANDS[args.command](args))
        except MlopsError as exc:
            if debug:
                raise
            _print_diagnostics(warnings, color)
            warnings.clear()
            _print_diagnostics(exc.diagnostics, color)
            if exc.footer:
                print(exc.footer, file=sys.stderr)
            code = int(exc.exit_code)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            code = int(ExitCode.INTERRUPTED)
        except Terminated:
            print("terminated", file=sys.stderr)
            code = 128 + signal.SIGTERM
        except BrokenPipeError:  # `mlops stacks | head -1`: the reader left; not a bug
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 128 + signal.SIGPIPE
        except Exception:  # noqa: BLE001 - a bug: say so, with the traceback, and never exit 2
            if debug:
                raise
            traceback.print_exc()
            print(f"internal error in mlops {args.command}: this is a bug, not a problem with your "
                  "input; please report it with the traceback above.", file=sys.stderr)
            code = int(ExitCode.INTERNAL)
        _print_diagnostics(warnings, color)
    return code


def run() -> None:
    """Console-script entry point (``mlops``; pyproject.toml [project.scripts])."""
    sys.exit(main())

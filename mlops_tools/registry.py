"""One registry of ``mlops`` commands, with the options several commands share defined once.

Each command module registers itself::

    def register(registry: Registry) -> None:
        parser = registry.add("stacks", cmd_stacks, help="list synthesized stacks in deploy order",
                              shared=("config", "outdir"))
        parser.add_argument("--env", ...)

``registry.add`` returns the command's argparse parser for its own options. Shared options
(``--config``, ``--outdir``, ``--verbose``, ``--dev-user``) come from :data:`SHARED_OPTIONS`; their defaults are
filled in after parsing (``--outdir`` reads ``$CDKTF_OUTDIR`` and ``--dev-user``
``$MLOPS_DEV_USER`` at run time, not at import).
A command is a function ``(args) -> int`` that returns an exit code, or raises an
:class:`~databricks_spec.diagnostics.MlopsError` for the user to fix.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from databricks_spec.diagnostics import exit_codes_help

Run = Callable[[argparse.Namespace], int]

DEFAULT_CONFIG = Path("config")
DEFAULT_OUTDIR = Path("cdktf.out")
OUTDIR_VARIABLE = "CDKTF_OUTDIR"


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    kwargs: dict[str, Any]
    default: Callable[[], Any] | None = None
    """Computed after parsing when the option was not given (None: argparse's default)."""


def default_outdir() -> Path:
    return Path(os.environ.get(OUTDIR_VARIABLE) or DEFAULT_OUTDIR)


#: The environment variable standing for ``--dev-user`` (the option wins).
DEV_USER_VARIABLE = "MLOPS_DEV_USER"


def default_dev_user() -> str | None:
    """$MLOPS_DEV_USER, read at run time; unset or empty: the environment's shared target."""
    return os.environ.get(DEV_USER_VARIABLE) or None


SHARED_OPTIONS: dict[str, Option] = {
    "config": Option(("--config",), dict(type=Path, metavar="DIR", help="config directory (default: config)"),
                     lambda: DEFAULT_CONFIG),
    "outdir": Option(("--outdir",), dict(type=Path, metavar="DIR",
                                         help=f"synthesized output (default: ${OUTDIR_VARIABLE} or cdktf.out)"),
                     default_outdir),
    "verbose": Option(("-v", "--verbose"), dict(action="store_true",
                                                help="also print full plans and details on the terminal")),
    "dev_user": Option(("--dev-user",), dict(metavar="NAME", help=(
        f"a developer's own dev target: prefixed jobs, endpoints and schemas and a state of their "
        f"own (default: ${DEV_USER_VARIABLE}; only an environment CI does not deploy; "
        "docs/code-delivery.md, Dev isolation)")), default_dev_user),
}


@dataclass
class Registry:
    prog: str = "mlops"
    description: str = ""
    epilog: str = field(default_factory=exit_codes_help)
    commands: dict[str, Run] = field(default_factory=dict)
    """name -> run function, in registration order (the order help lists them)."""
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _parser: argparse.ArgumentParser | None = None
    _sub: Any = None

    @property
    def parser(self) -> argparse.ArgumentParser:
        if self._parser is None:
            self._parser = argparse.ArgumentParser(prog=self.prog, description=self.description,
                                                   epilog=self.epilog)
            self._sub = self._parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                                    title="commands")
        return self._parser

    def add(self, name: str, run: Run, *, help: str, shared: tuple[str, ...] = (),
            **parser_kwargs: Any) -> argparse.ArgumentParser:
        """Register a command; return its parser (add the command's own options to it)."""
        if name in self.commands:
            raise ValueError(f"command {name!r} registered twice")
        unknown = set(shared) - set(SHARED_OPTIONS)
        if unknown:
            raise ValueError(f"unknown shared option(s) {sorted(unknown)} for {name!r}")
        self.parser  # noqa: B018 - creates the subparsers
        parser_kwargs.setdefault("description", help[:1].upper() + help[1:] + ".")
        parser_kwargs.setdefault("epilog", self.epilog)
        parser = self._sub.add_parser(name, help=help, **parser_kwargs)
        for key in shared:
            option = SHARED_OPTIONS[key]
            parser.add_argument(*option.flags, **option.kwargs)
        self.commands[name] = run
        self.shared[name] = tuple(shared)
        return parser

    def parse(self, argv: list[str] | None) -> argparse.Namespace:
        args = self.parser.parse_args(argv)
        for key in self.shared.get(args.command, ()):
            option = SHARED_OPTIONS[key]
            if option.default is not None and getattr(args, key, None) is None:
                setattr(args, key, option.default())
        return args

"""One diagnostics shape and one set of exit codes for the whole product.

A ``Diagnostic`` is what a user reads about one thing: a config error (with file, line and
key path), a construct refusal (with its construct path), a synth notice or a review risk.
Every layer reports through it; the CLI prints it and maps the error type to an exit code.

It lives in the bottom package because every layer uses it; it holds no Databricks fact.

The same concept as ``mlops_tools.review.diagnostics``, which maps review risks onto this type.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Iterable, Iterator, Literal

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")


class ExitCode(IntEnum):
    """Exit codes of every ``mlops`` command (defined here and nowhere else)."""

    OK = 0
    CHECK_FAILED = 1
    """A check ran and failed (Terraform rejected a stack, a test failed): not the user's input."""
    BAD_INPUT = 2
    """Config, arguments or environment the user gave are wrong; nothing was written."""
    BLOCKED = 3
    """A review found a destructive change to a stateful resource that is not allowed."""
    DRIFT = 4
    """``drift``: the live state of a deployed environment differs from the configuration."""
    INTERNAL = 70
    """A bug in this product (EX_SOFTWARE): reported with a traceback, never as bad input."""
    INTERRUPTED = 130
    """Stopped by the user (Ctrl-C / SIGINT), as shells report it."""

    @property
    def meaning(self) -> str:
        """One line for help texts."""
        return _MEANINGS.get(self) or self.name.lower().replace("_", " ")


_MEANINGS = {
    ExitCode.OK: "ok",
    ExitCode.CHECK_FAILED: "a check failed (terraform rejected a stack, a plan could not be made)",
    ExitCode.BAD_INPUT: "bad input (config, arguments, output folder, missing tool): nothing was written",
    ExitCode.BLOCKED: "a destructive change to a stateful resource that is not allowed",
    ExitCode.INTERNAL: "internal error: a bug in mlops (printed with a traceback)",
    ExitCode.INTERRUPTED: "interrupted",
}


def exit_codes_help() -> str:
    """The exit-code table every command's help shows (one source: ExitCode)."""
    return "exit codes: " + "; ".join(f"{int(c)} {c.meaning}" for c in ExitCode)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One thing to tell the user.

    Sorts by location, so a list of diagnostics reads top to bottom through each file.
    """

    file: str = ""
    """Where it came from: a config file as the user sees it, or '' when not from a file."""
    line: int = 0
    """1-based line in ``file``; 0 when unknown."""
    key: str = ""
    """The config key path, rendered as ``serving.entities[0].name``; '' for the whole file."""
    summary: str = ""
    """One sentence saying what is wrong (or what to notice)."""
    severity: Severity = "error"
    detail: str = ""
    """Optional longer explanation or a doc reference."""
    construct_path: str = ""
    """The construct path for construct diagnostics (read only when a message is printed)."""

    @property
    def message(self) -> str:
        """The summary (the older name of the field)."""
        return self.summary

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def label(self, *, color: bool = False) -> str:
        """The severity word, coloured when asked."""
        return f"{_COLORS[self.severity]}{self.severity}{_RESET}" if color else self.severity

    def render(self, *, color: bool = False) -> str:
        """``<severity>: <location> <summary>`` as the CLI prints it (ANSI colour when asked)."""
        return f"{self.label(color=color)}: {self}"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        trail = ""
        if self.construct_path:  # located in config: the construct path comes last
            if where:
                trail = f" ({self.construct_path})"
            else:
                where = self.construct_path
        key = (f" {self.key}:" if where else f"{self.key}:") if self.key else ""
        text = f"{where}{key} {self.summary}" if where or key else self.summary
        return (f"{text} ({self.detail})" if self.detail else text) + trail


_COLORS = {"error": "\033[31m", "warning": "\033[33m", "notice": "\033[36m"}
_RESET = "\033[0m"


# ------------------------------------------------------------------ warnings: reported, not raised

_WARNINGS: contextvars.ContextVar[list[Diagnostic] | None] = contextvars.ContextVar("mlops_warnings",
                                                                                    default=None)


def warn(diagnostic: Diagnostic) -> None:
    """Report a warning or notice that does not stop the command (e.g. a config warning).

    Collected by the innermost :func:`collect_warnings` block (the CLI prints them after the
    command); outside any block, warnings are dropped (library use, tests of a single layer).
    """
    sink = _WARNINGS.get()
    if diagnostic.is_error:
        diagnostic = diagnostic.with_severity("warning")
    if sink is not None and diagnostic not in sink:
        sink.append(diagnostic)


@contextmanager
def collect_warnings() -> Iterator[list[Diagnostic]]:
    """Collect every :func:`warn` inside the block into the yielded list."""
    sink: list[Diagnostic] = []
    token = _WARNINGS.set(sink)
    try:
        yield sink
    finally:
        _WARNINGS.reset(token)


def raise_for(diagnostics: Iterable[Diagnostic], error: "type[MlopsError] | None" = None) -> None:
    """Report warnings/notices through :func:`warn` and raise ``error`` (default MlopsError)
    with every error diagnostic, if there is any. Adapters that produce mixed findings
    (config rules) call this once at the end."""
    errors = []
    for diagnostic in diagnostics:
        if diagnostic.is_error:
            errors.append(diagnostic)
        else:
            warn(diagnostic)
    if errors:
        raise (error or MlopsError)(errors)


class MlopsError(Exception):
    """Base of every error this product reports to a user; carries its diagnostics.

    The CLI catches this type (and only this type): anything else is a bug.
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: list[Diagnostic] = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def of(cls, summary: str, **fields: str | int) -> "MlopsError":
        """The error with one diagnostic: ``UsageError.of("unknown stack: x", detail=...)``."""
        return cls([Diagnostic(summary=summary, **fields)])  # type: ignore[arg-type]

    @property
    def footer(self) -> str:
        """A closing line the CLI prints after the diagnostics ('' for none)."""
        return ""


class UsageError(MlopsError):
    """Arguments that name nothing that exists (an unknown stack or environment): exit 2."""


class CheckFailed(MlopsError):
    """A check ran and failed (not the user's input): exit 1."""

    exit_code = ExitCode.CHECK_FAILED


class ConstructError(MlopsError, ValueError):
    """A construct refused its props (a provider rule the config layer did not catch first).

    Carries the construct that refused; its path is read only when the error is printed (from
    its ``construct_path`` when it has one, else from jsii's ``node.path``). Also a ValueError,
    so callers that guard construction keep working.
    """

    def __init__(self, construct: object, summary: str, key: str = "", detail: str = ""):
        self.construct = construct
        self._diagnostic = Diagnostic(key=key, summary=summary, detail=detail)
        self.config_location: tuple[str, int, str] | None = None
        """(file, line, config key) of the unit being built, attached by the stacks
        (stacks.located); None until then."""
        Exception.__init__(self, summary)

    def at(self, file: str, line: int, key: str) -> "ConstructError":
        """Attach the config location of the unit whose construction refused; the first one
        attached (the innermost unit) is kept."""
        if self.config_location is None:
            self.config_location = (file, line, key)
        return self

    @property  # type: ignore[override]
    def diagnostics(self) -> list[Diagnostic]:
        path = getattr(self.construct, "construct_path", None)  # our units know theirs in Python
        if not isinstance(path, str):
            node = getattr(self.construct, "node", None)
            path = str(node.path) if node is not None else ""
        d = self._diagnostic
        if self.config_location is not None:  # file:line <unit key>: [<prop>: ]<summary> (<construct path>)
            file, line, key = self.config_location
            summary = f"{d.key}: {d.summary}" if d.key else d.summary
            return [Diagnostic(file, line, key, summary, detail=d.detail, construct_path=path)]
        return [Diagnostic(key=d.key, summary=d.summary, detail=d.detail, construct_path=path)]

    @diagnostics.setter
    def diagnostics(self, value: list[Diagnostic]) -> None:  # MlopsError.__init__ is not used here
        raise AttributeError("ConstructError diagnostics are derived from the construct")

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)

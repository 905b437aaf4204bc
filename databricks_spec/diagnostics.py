"""One diagnostics shape and one set of exit codes for the whole product.

A ``Diagnostic`` is what a user reads about one thing: a config error (with file, line and
key path), a construct refusal (with its construct path), a synth notice or a review risk.
Every layer reports through it; the CLI prints it and maps the error type to an exit code.

It lives in the bottom package because every layer uses it; it holds no Databricks fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Iterable, Literal

Severity = Literal["error", "warning", "notice"]


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

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        if self.construct_path:
            where = f"{where} ({self.construct_path})" if where else self.construct_path
        key = f" {self.key}:" if self.key else ""
        text = f"{where}{key} {self.summary}" if where or key else self.summary
        return f"{text} ({self.detail})" if self.detail else text


class MlopsError(Exception):
    """Base of every error this product reports to a user; carries its diagnostics.

    The CLI catches this type (and only this type): anything else is a bug.
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: list[Diagnostic] = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ConstructError(MlopsError, ValueError):
    """A construct refused its props (a provider rule the config layer did not catch first).

    Carries the construct that refused; its path (a jsii round trip) is read only when the
    error is printed. Also a ValueError, so callers that guard construction keep working.
    """

    def __init__(self, construct: object, summary: str, key: str = "", detail: str = ""):
        self.construct = construct
        self._diagnostic = Diagnostic(key=key, summary=summary, detail=detail)
        Exception.__init__(self, summary)

    @property  # type: ignore[override]
    def diagnostics(self) -> list[Diagnostic]:
        node = getattr(self.construct, "node", None)
        path = str(node.path) if node is not None else ""
        d = self._diagnostic
        return [Diagnostic(key=d.key, summary=d.summary, detail=d.detail, construct_path=path)]

    @diagnostics.setter
    def diagnostics(self, value: list[Diagnostic]) -> None:  # MlopsError.__init__ is not used here
        raise AttributeError("ConstructError diagnostics are derived from the construct")

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)

"""Errors of the ``mlops`` tools that are the user's to fix (each an MlopsError: exit 2).

Everything a command reports to a user is an :class:`~databricks_spec.diagnostics.MlopsError`
carrying diagnostics; the CLI catches only that type. Any other exception is a bug in
this product and is reported with a traceback and exit code 70 (ExitCode.INTERNAL).

The same concept as ``platform_config.errors`` (the config layer's errors), seen from the tools.
"""

from __future__ import annotations

from databricks_spec.diagnostics import CheckFailed, ExitCode, MlopsError, UsageError

__all__ = ["CheckFailed", "MlopsError", "OutputError", "ToolMissing", "UsageError"]


class OutputError(MlopsError):
    """The output folder cannot be written (read-only, a file in the way): exit 2."""

    exit_code = ExitCode.BAD_INPUT

    @property
    def footer(self) -> str:
        return "nothing was written; the previous output (if any) is unchanged."


class ToolMissing(MlopsError):
    """A program the command needs (terraform) is not installed: exit 2, before any work."""

    exit_code = ExitCode.BAD_INPUT

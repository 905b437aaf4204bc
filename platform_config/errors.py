"""User-facing configuration errors.

The config layer is the only layer that knows file names and line numbers, so it
owns every message a user sees about bad input. Each problem names the file, the
line and the dotted key path, e.g.::

    config/projects/churn.yaml:14 serving.min_replicas: Input should be a valid integer

The same concept as ``mlops_tools.errors`` (the tools' own user errors): both are
MlopsError subclasses carrying diagnostics, seen from the config layer here.
"""

from __future__ import annotations

from typing import Iterable

from databricks_spec.diagnostics import Diagnostic, ExitCode, MlopsError, raise_for, warn


#: One thing wrong with the configuration: the product's one diagnostic type, positioned
#: as (file, line, key, summary).
Problem = Diagnostic


class ConfigError(MlopsError):
    """Raised with every problem found, so the user can fix them in one pass (exit code 2)."""

    exit_code = ExitCode.BAD_INPUT

    @property
    def problems(self) -> list[Diagnostic]:
        return self.diagnostics

    @property
    def footer(self) -> str:
        return f"{len(self.diagnostics)} problem(s) in configuration; nothing was written."

    @classmethod
    def raise_for(cls, problems: Iterable[Diagnostic]) -> None:
        """Raise with every error-severity problem; warnings are reported (printed by the CLI
        after the command) and do not fail. The config adapter calls this once per load."""
        raise_for(problems, cls)


#: Report a config warning (a Problem with severity "warning"): printed, never fails.
config_warning = warn


def key_path(path: tuple) -> str:
    """Render ('serving', 'entities', 0, 'name') as 'serving.entities[0].name'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out

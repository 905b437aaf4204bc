"""User-facing configuration errors.

The config layer is the only layer that knows file names and line numbers, so it
owns every message a user sees about bad input. Each problem names the file, the
line and the dotted key path, e.g.::

    config/projects/churn.yaml:14 serving.min_replicas: Input should be a valid integer
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the configuration."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}{key} {self.message}"


class ConfigError(Exception):
    """Raised with every problem found, so the user can fix them in one pass."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def key_path(path: tuple) -> str:
    """Render ('serving', 'entities', 0, 'name') as 'serving.entities[0].name'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out

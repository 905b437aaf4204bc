"""Notices constructs leave in the synthesized app (cdktf annotations in manifest.json).

Constructs add ``Annotations.of(self).add_info/add_warning`` for things a user must
know about the synthesized result but that are not errors, e.g. a serving endpoint
deployed without served entities until its first model version exists, or a
monitor deployed without its schedule because the environment pauses schedules.
``synth`` prints them under the stack table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

_LEVELS = {"@cdktf/info": "notice", "@cdktf/warn": "warning", "@cdktf/error": "error"}


@dataclass(frozen=True, order=True)
class Notice:
    stack: str
    level: str
    """notice, warning or error."""
    path: str
    """Construct path, e.g. dev/churn/serving_churn."""
    message: str

    def __str__(self) -> str:
        return f"{self.level}: [{self.stack}] {self.message}"


def read_notices(outdir: Path) -> list[Notice]:
    """Every annotation of every stack in a synthesized outdir, sorted by stack and path."""
    manifest = json.loads((Path(outdir) / "manifest.json").read_text())
    out = []
    for name, stack in manifest.get("stacks", {}).items():
        for item in stack.get("annotations", []):
            out.append(Notice(name, _LEVELS.get(item.get("level", ""), "notice"),
                              item.get("constructPath", ""), item.get("message", "")))
    return sorted(set(out))

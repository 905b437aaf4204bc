"""Notices constructs leave in the synthesized app (cdktf annotations in manifest.json).

Constructs add ``Annotations.of(self).add_info/add_warning`` for things a user must
know about the synthesized result but that are not errors, e.g. a serving endpoint
deployed without served entities until its first model version exists, or a
monitor deployed without its schedule because the environment pauses schedules.

A notice is the product's one diagnostic type (:class:`~databricks_spec.diagnostics.Diagnostic`)
with the stack it belongs to. ``mlops synth`` prints them on stderr under the stack table.
Under ``npx cdktf synth`` the app prints none: cdktf-cli itself prints every annotation of
manifest.json (``INFO [dev/churn/monitor_features/Resource]: …``), and it shows anything the app
writes to stderr as a red ``[ERROR]`` line, so printing them too would show each notice
twice, once as an error. CDK Terrain's ``cdktn synth`` (``make cli ENGINE=cdktn ARGS=synth``)
does the same and sets the same CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS for the app, so
main.py prints none there either (tests/cli/test_cdktf_notices.py, test_cdktn_notices.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from databricks_spec.diagnostics import Diagnostic, Severity

#: cdktf annotation levels -> diagnostic severities.
LEVELS: dict[str, Severity] = {"@cdktf/info": "notice", "@cdktf/warn": "warning", "@cdktf/error": "error"}


@dataclass(frozen=True, order=True)
class Notice(Diagnostic):
    """A Diagnostic from a synthesized stack's annotations (``construct_path`` is set)."""

    stack: str = ""

    @property
    def level(self) -> str:
        """notice, warning or error (the severity)."""
        return self.severity

    @property
    def path(self) -> str:
        """Construct path, e.g. dev/churn/serving_churn."""
        return self.construct_path

    def render(self, *, color: bool = False) -> str:
        return f"{self.label(color=color)}: [{self.stack}] {self.summary}"

    def __str__(self) -> str:
        return self.render()


def read_notices(outdir: Path) -> list[Notice]:
    """Every annotation of every stack in a synthesized outdir, sorted by stack and path."""
    manifest = json.loads((Path(outdir) / "manifest.json").read_text())
    out = set()
    for name, stack in manifest.get("stacks", {}).items():
        for item in stack.get("annotations", []):
            out.add(Notice(summary=item.get("message", ""), severity=LEVELS.get(item.get("level", ""), "notice"),
                           construct_path=item.get("constructPath", ""), stack=name))
    return sorted(out, key=lambda n: (n.stack, n.construct_path, n.summary, n.severity))

"""Review risks seen as the product's one diagnostic type (databricks_spec.diagnostics).

A blocking risk is an error, any other risk a warning; the Terraform address is the key
path, the stack stands where a file would, and the risk kind is the detail. Used by
anything that reports risks outside the Markdown review (e.g. CI annotations).
"""

from __future__ import annotations

from typing import Iterable

from databricks_spec.diagnostics import Diagnostic
from mlops_tools.review.plan_review import RISK_TITLE, Risk


def risk_diagnostic(risk: Risk) -> Diagnostic:
    return Diagnostic(file=f"stack {risk.stack}", key=risk.address, summary=risk.message,
                      severity="error" if risk.blocking else "warning",
                      detail=RISK_TITLE.get(risk.kind, risk.kind))


def risk_diagnostics(risks: Iterable[Risk]) -> list[Diagnostic]:
    return sorted(risk_diagnostic(r) for r in risks)

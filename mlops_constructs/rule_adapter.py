"""The one adapter between provider rules and the constructs.

The same concept as ``platform_config.rule_adapter`` (the config layer's side), seen from the
construct layer.

Constructs check their props at construction with the same pure rules the config layer uses
(``databricks_spec.rules``), so no rule is written twice. ``refuse`` raises the first finding
as a ``ConstructError`` carrying the construct (its path is read only when printed).
Values that are unresolved Terraform tokens are not checked here: ``known`` tells them apart in
Python (no jsii round trip) and the provider checks them at plan time.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from databricks_spec.diagnostics import ConstructError
from databricks_spec.rules import Finding, findings_at, unresolved


def known(value: Any) -> bool:
    """Whether ``value`` is a plain value a rule can judge: not an unresolved token, nor a
    Terraform expression written as a string (``${...}``, e.g. a destination id read from a data
    source by name, mlops_constructs.notification_destination)."""
    return not unresolved(value) and not (isinstance(value, str) and value.startswith("${"))


def _key(parts: tuple) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def refuse(construct: object, *findings: Iterable[Finding]) -> None:
    """Raise the first finding of ``findings`` as a ConstructError; return when there is none."""
    for group in findings:
        for f in group:
            raise ConstructError(construct, f.message, key=_key(f.key), detail=f.doc)


def name_findings(rule: Callable[[str], Iterable[Finding]], value: Any, *key: Any) -> list[Finding]:
    """A name rule (``databricks_spec.names``) on ``value``, its findings put at ``key``; a value
    that is not known yet (a token) has none."""
    return findings_at(key, rule(value)) if known(value) else []

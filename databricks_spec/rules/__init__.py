"""Provider rules: each one small pure function from plain values to findings (cdk-nag style).

A rule answers "compliant" (no findings) or "non-compliant" (findings). It takes plain Python
values, never a config model or a construct, so both layers call the same function:

* the config layer through one adapter (``platform_config.rule_adapter``), which puts each finding at
  its key path and so gives it file and line;
* constructs at construction (``mlops_constructs.rule_adapter``), which skip values that are still
  unresolved Terraform tokens and raise ``ConstructError``.

A finding's ``key`` is relative to what the rule was given, e.g. ``("permissions", "ops")``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Iterable

from databricks_spec.diagnostics import Diagnostic


@dataclass(frozen=True)
class Finding:
    """One broken rule: where (a key path relative to the rule's input), what, and the source."""

    key: tuple = ()
    message: str = ""
    doc: str = ""
    """The provider doc reference, e.g. "provider docs: job, 'task Configuration Block'"; '' if none."""

    def __str__(self) -> str:
        return f"{self.message} ({self.doc})" if self.doc else self.message

    def at(self, *prefix: Any) -> "Finding":
        """The same finding one level further down: ``prefix`` + key."""
        return Finding(tuple(prefix) + self.key, self.message, self.doc)

    def to_diagnostic(self, file: str = "", line: int = 0, key: str = "") -> Diagnostic:
        return Diagnostic(file=file, line=line, key=key, summary=self.message, detail=self.doc)


def findings_at(prefix: tuple, findings: Iterable[Finding]) -> list[Finding]:
    return [f.at(*prefix) for f in findings]


# --------------------------------------------------------------------------- tokens

#: Markers of an unresolved engine token inside a string (cdktf and CDK Terrain alike:
#: tokens/private/encoding.js, BEGIN_STRING/LIST/MAP_TOKEN_MARKER).
_TOKEN_MARKERS = ("${TfToken[", "#{TfToken[", "&{TfToken[")
#: Top 16 bits of a double that encodes a number token (encoding.js, DOUBLE_TOKEN_MARKER_BITS and
#: DOUBLE_LIST_TOKEN_MARKER_BITS).
_NUMBER_TOKEN_BITS = (0xFDFF, 0xFBFF)


def unresolved(value: Any) -> bool:
    """Whether ``value`` is (or contains) a Terraform value known only at plan time.

    Decided in Python from the token encoding, without a jsii round trip. Rules treat such
    values as not applicable; the provider checks them at plan.
    """
    if isinstance(value, str):
        return any(m in value for m in _TOKEN_MARKERS)
    if isinstance(value, float):
        return struct.unpack("<Q", struct.pack("<d", value))[0] >> 48 in _NUMBER_TOKEN_BITS
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return unresolved(value[0])
    return False


def members_text(members: Iterable[tuple[str, str]]) -> str:
    """'a (group), b (service principal)': how messages describe principals (kind, name)."""
    text = ", ".join(f"{n} ({k.removesuffix('_name').replace('_', ' ')})" for k, n in members)
    return text or "nobody"


def allowed(field: str, value: str | None, values: Iterable[str], what: str = "") -> list[Finding]:
    """``value`` of ``field`` (when set) is one of ``values``: the check of every provider enum.
    ``what`` names the field in the message (default: the field)."""
    if value is not None and value not in set(values):
        return [Finding((field,), f"{what or field} {value!r} not one of {', '.join(sorted(values))}")]
    return []


def absolute_path(path: str, what: str, example: str) -> list[Finding]:
    """A workspace path (experiment, monitor assets, workspace root) is absolute."""
    if not path.startswith("/"):
        return [Finding((), f"{what} must be an absolute workspace path, e.g. {example}")]
    return []

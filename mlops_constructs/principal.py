"""Principals as constructs see them: already resolved from config roles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

def address_id(name: str) -> str:
    """A construct id for a stable name (a principal's key, a group, a table): characters
    Terraform addresses do not allow become '_'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


PrincipalKind = Literal["group_name", "user_name", "service_principal_name"]


@dataclass(frozen=True, order=True)
class Principal:
    """A group (display name), user (e-mail) or service principal (application id)."""

    name: str
    kind: PrincipalKind = "group_name"
    label: str | None = field(default=None, compare=False)
    """A stable name for addresses and sorting when ``name`` is a Terraform token (a service
    principal created in the same apply): its config key. Default: ``name`` is used."""

    @property
    def key(self) -> str:
        """Stable sort and address key: the label when set, else the name."""
        return self.label or self.name

    @property
    def sort_key(self) -> tuple[str, str]:
        """How lists of principals are ordered in the JSON: by key, then kind."""
        return (self.key, self.kind)

    @property
    def grant_name(self) -> str:
        """How Unity Catalog grants name the principal (they use the bare name / app id)."""
        return self.name

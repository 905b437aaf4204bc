"""Principals as constructs see them: already resolved from config roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrincipalKind = Literal["group_name", "user_name", "service_principal_name"]


@dataclass(frozen=True, order=True)
class Principal:
    """A group (display name), user (e-mail) or service principal (application id)."""

    name: str
    kind: PrincipalKind = "group_name"

    @property
    def grant_name(self) -> str:
        """How Unity Catalog grants name the principal (they use the bare name / app id)."""
        return self.name

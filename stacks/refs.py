"""Cross-unit references of one stack, built once and passed down.

``StackRefs`` holds what units of different parts of a stack refer to: the
catalog's name (a token when the platform is in this stack), the principals
(resolved ``Member`` -> construct ``Principal``, with the service principals
created in this stack or looked up once, up front) and the cluster policies
created in this stack. Nothing here searches the construct tree or creates a
resource as a side effect of a getter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, TypeVar

from constructs import Construct

from mlops_constructs.cluster_policy import ClusterPolicy
from mlops_constructs.principal import Principal
from mlops_constructs.service_principal import ServicePrincipalUnit
from resolution import Member, ResolvedEnvironment, ResolvedProject

V = TypeVar("V")

#: Construct id (under the stack) of the lookup of service principal <key> in a stack
#: without the platform: ``service_principal_lookup_<key>``.
LOOKUP_PREFIX = "service_principal_lookup_"


@dataclass(frozen=True)
class PrincipalRefs:
    """Maps resolved members to the principals constructs take."""

    service_principals: Mapping[str, ServicePrincipalUnit] = field(default_factory=dict)
    """Key -> the unit standing for that service principal in this stack: created or
    referenced by the platform here, or a lookup by display name. Default: none."""

    def principal(self, m: Member) -> Principal:
        """A literal member as is; an apply-time one -> its unit's principal (a token)."""
        if m.apply_time:
            return self.service_principals[m.name].principal
        return Principal(name=m.name, kind=m.kind)

    def grants(self, grants: Mapping[Member, frozenset[str]]) -> dict[Principal, frozenset[str]]:
        """Member -> privileges as principal -> privileges (members map one to one)."""
        return {self.principal(m): v for m, v in grants.items()}

    def levels(self, levels: Mapping[Member, V]) -> dict[Principal, V]:
        return {self.principal(m): v for m, v in levels.items()}

    def owner(self, value: str | Member | None) -> str | None:
        """An owner as Unity Catalog names it (a service principal by application id)."""
        return self.principal(value).grant_name if isinstance(value, Member) else value

    def deployer(self, m: Member | None) -> Principal | None:
        return self.principal(m) if m is not None else None


@dataclass(frozen=True)
class OnlineStoreRef:
    """An environment's online store as units of a stack refer to it."""

    instance_name: str
    """The database instance's name: a token in the platform's stack, else literal."""
    catalog_name: str
    """Its database catalog's name: a token in the platform's stack, else literal."""


@dataclass(frozen=True)
class StackRefs:
    """What the units of one stack refer to across units (see module docstring)."""

    catalog_name: str
    """The catalog's name: a token referencing the catalog (resource or data source) when the
    platform is in this stack, so Terraform orders schemas after it; else the literal name."""
    principals: PrincipalRefs
    cluster_policies: Mapping[str, ClusterPolicy] = field(default_factory=dict)
    """Environment policies created in this stack, by key. Default: none."""
    online_stores: Mapping[str, OnlineStoreRef] = field(default_factory=dict)
    """The environment's online stores by key (docs/features.md). Default: none."""
    warehouses: Mapping[str, str] = field(default_factory=dict)
    """SQL warehouse key -> its id: a token of the warehouse created or looked up in this stack,
    or a referenced warehouse's literal id (stacks.observability). Default: none."""
    destinations: Mapping[str, str] = field(default_factory=dict)
    """Notification destination key -> its id (token or literal). Default: none."""

    def destination_id(self, target: str) -> str:
        """A destination as config names it (its key, or a UUID of one managed elsewhere) -> its id."""
        return self.destinations.get(target, target)


def lookup_service_principals(stack: Construct, env: ResolvedEnvironment,
                              projects: Iterable[ResolvedProject]) -> dict[str, ServicePrincipalUnit]:
    """In a stack without the platform (which deploys after the platform's stack): one lookup
    by display name per service principal whose application id only Terraform knows and that
    the stack's projects use."""
    keys = sorted(set().union(*(p.apply_time_principals for p in projects)))
    out = {}
    for key in keys:
        display_name = env.service_principals[key].display_name
        assert display_name, f"service principal {key!r} has neither application id nor display name"
        out[key] = ServicePrincipalUnit.from_display_name(stack, f"{LOOKUP_PREFIX}{key}", display_name, label=key)
    return out

"""Principals as config resolves them: a role's members, grants and permission levels.

A role's ``service_principals`` entry is an application id, or the key of a
service principal configured in the environment. A key resolves to

* its application id when the config knows it (referenced principals, Azure-managed
  created ones): a literal :class:`Member`, the same in every stack;
* otherwise (a Databricks-managed principal created here, or one referenced by its
  display name) to a :class:`Member` with ``apply_time=True``: only Terraform knows
  its application id. The stack maps it to a token (``stacks.refs.PrincipalRefs``):
  the created resource's ``application_id`` in the platform's stack, or a
  databricks_service_principal lookup by display name in a project stack.

Everything here is pure: no jsii, no constructs. A ``Member`` becomes the
constructs' ``mlops_constructs.principal.Principal`` in ``stacks.refs`` (the same
principal seen from the construct layer, where its name may be a token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence, TypeVar

from platform_config import EnvironmentConfig, PrincipalsConfig
from platform_config.governance import UUID

PrincipalKind = Literal["group_name", "user_name", "service_principal_name"]

V = TypeVar("V")


@dataclass(frozen=True, order=True)
class Member:
    """One principal a role stands for, resolved for one environment."""

    kind: PrincipalKind
    """group_name (display name), user_name (e-mail) or service_principal_name (application id)."""
    name: str
    """The group's display name, the user's e-mail or the application id; when
    ``apply_time`` is set, the service principal's config key instead."""
    apply_time: bool = False
    """True: the application id is known only at apply (see the module docstring); the
    stack maps the member to a token. Default: false (``name`` is literal)."""


def service_principal_member(env: EnvironmentConfig, key: str) -> Member:
    """The member for the environment's service principal ``key``."""
    sp = env.service_principals[key]
    if sp.application_id:
        return Member("service_principal_name", sp.application_id)
    return Member("service_principal_name", key, apply_time=True)


def member(env: EnvironmentConfig, kind: PrincipalKind, name: str) -> Member:
    """A (kind, name) pair as config writes it; a service principal key is resolved."""
    if kind == "service_principal_name" and not UUID.match(name) and name in env.service_principals:
        return service_principal_member(env, name)
    return Member(kind, name)


def members(env: EnvironmentConfig, principals: PrincipalsConfig) -> tuple[Member, ...]:
    """Every member of one role, in the role's sorted order (PrincipalsConfig.all)."""
    return tuple(member(env, kind, name) for kind, name in principals.all())  # type: ignore[arg-type]


def role_pairs(env: EnvironmentConfig, roles: Mapping[str, PrincipalsConfig],
               values: Mapping[str, V]) -> list[tuple[Member, V]]:
    """(member, value) for every role -> value entry."""
    return [(m, value) for role, value in values.items() for m in members(env, roles[role])]


def grant_map(env: EnvironmentConfig, roles: Mapping[str, PrincipalsConfig],
              grants: Mapping[str, Sequence[str]]) -> dict[Member, frozenset[str]]:
    """Role -> privileges, resolved to member -> the union of privileges (roles sharing a
    principal add up)."""
    out: dict[Member, set[str]] = {}
    for m, privileges in role_pairs(env, roles, grants):
        out.setdefault(m, set()).update(privileges)
    return {m: frozenset(v) for m, v in out.items()}


def level_map(env: EnvironmentConfig, roles: Mapping[str, PrincipalsConfig], levels: Mapping[str, str],
              rank: Sequence[str]) -> dict[Member, str]:
    """Role -> permission level, resolved to member -> the highest level by ``rank``
    (lowest first; roles sharing a principal keep the higher level)."""
    order = tuple(rank)
    out: dict[Member, str] = {}
    for m, level in role_pairs(env, roles, levels):
        current = out.get(m)
        if current is None or order.index(level) > order.index(current):
            out[m] = level
    return out


def owner(env: EnvironmentConfig, value: str | None) -> str | Member | None:
    """An ``owner`` field: a service principal key -> its member (application id, or
    resolved at apply); anything else (group, user, application id) as written."""
    if value is None:
        return None
    if value in env.service_principals:
        return service_principal_member(env, value)
    return value


def deployer(env: EnvironmentConfig) -> Member | None:
    """The principal running terraform apply (it exists before the deploy, so its name is
    literal): a user, a group, or a service principal by application id or key."""
    d = env.deployer
    if d is None:
        return None
    if d.user:
        return Member("user_name", d.user)
    if d.group:
        return Member("group_name", d.group)
    ref = d.service_principal or ""
    app_id = env.service_principals[ref].application_id if ref in env.service_principals else ref
    return Member("service_principal_name", app_id or ref)

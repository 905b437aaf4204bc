"""Compose an environment's shared governance pieces, and resolve principals for any stack.

PlatformUnits (construct id ``platform``) holds what one environment shares:
the catalog and its grants, service principals, secret scopes with ACLs and
permissions on shared workspace objects. It lives in the ``<env>`` stack
(per-environment layout) or the ``<env>-platform`` stack (per-project layout).

Principal resolution (used by project units, jobs, serving, ...): a role's
``service_principals`` entry is an application id, or the key of a configured
service principal. A key resolves to

* its application id when the config knows it (referenced principals, Azure-managed
  created ones): a plain string, the same in every stack;
* otherwise (a Databricks-managed principal created here, whose id is generated):
  the created resource's ``application_id`` when it is in the same stack, or a
  databricks_service_principal lookup by display name in a project stack (which
  deploys after its platform stack).
"""

from __future__ import annotations

from mlops_engine import TerraformStack
from mlops_engine.databricks import DatabricksProvider
from constructs import Construct

from mlops_constructs.catalog import UcCatalog, UcCatalogProps
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.secret_scope import SecretScopeProps, SecretScopeUnit
from mlops_constructs.service_principal import (EntitlementsProps, ServicePrincipalProps,
                                                ServicePrincipalUnit)
from databricks_spec.privileges import SECRET_PERMISSIONS, WORKSPACE_OBJECTS
from platform_config import EnvironmentConfig, Principals
from platform_config.governance import (UUID, catalog_grant_mode, prevent_destroy,
                                        service_principal_display_name)

PLATFORM_ID = "platform"


# --------------------------------------------------------------------------- resolution

def platform_of(scope: Construct) -> "PlatformUnits | None":
    """The PlatformUnits in ``scope``'s stack, if this stack holds the platform."""
    found = TerraformStack.of(scope).node.try_find_child(PLATFORM_ID)
    return found if isinstance(found, PlatformUnits) else None


def service_principal(scope: Construct | None, env: EnvironmentConfig, key: str) -> Principal:
    """The Principal for the configured service principal ``key`` (see module docstring)."""
    sp = env.service_principals[key]
    if sp.application_id:
        return Principal(name=sp.application_id, kind="service_principal_name")
    if scope is None:
        raise ValueError(f"service principal '{key}' of environment '{env.name}' gets its application id "
                         "at apply; resolve it with a scope (principals(target, role, scope=self))")
    platform = platform_of(scope)
    if platform is not None and key in platform.service_principals:
        return platform.service_principals[key].principal
    stack = TerraformStack.of(scope)
    lookup_id = f"service_principal_lookup_{key}"
    unit = stack.node.try_find_child(lookup_id)
    if unit is None:
        unit = ServicePrincipalUnit(stack, lookup_id, ServicePrincipalProps(
            mode="reference", display_name=service_principal_display_name(env, key), label=key))
    return unit.principal


def resolve_principals(scope: Construct | None, env: EnvironmentConfig, members: Principals) -> list[Principal]:
    """Groups, users and service principals of one role; service principal keys resolved."""
    out = []
    for kind, name in members.all():
        if kind == "service_principal_name" and not UUID.match(name) and name in env.service_principals:
            out.append(service_principal(scope, env, name))
        else:
            out.append(Principal(name=name, kind=kind))
    return out


def resolve_owner(scope: Construct | None, env: EnvironmentConfig, owner: str | None) -> str | None:
    """An owner: a service principal key -> its application id; anything else as written."""
    if owner is None:
        return None
    if owner in env.service_principals:
        return service_principal(scope, env, owner).grant_name
    return owner


def deployer_principal(env: EnvironmentConfig) -> Principal | None:
    """The principal running terraform apply (it always exists before the deploy)."""
    d = env.deployer
    if d is None:
        return None
    if d.user:
        return Principal(name=d.user, kind="user_name")
    if d.group:
        return Principal(name=d.group, kind="group_name")
    ref = d.service_principal or ""
    app_id = env.service_principals[ref].application_id if ref in env.service_principals else ref
    return Principal(name=app_id or ref, kind="service_principal_name")


def role_map(scope: Construct | None, env: EnvironmentConfig, roles: dict[str, Principals],
             values: dict[str, object]) -> list[tuple[Principal, object]]:
    """(principal, value) for every role -> value entry."""
    return [(p, value) for role, value in values.items()
            for p in resolve_principals(scope, env, roles[role])]


def union_grants(pairs: list[tuple[Principal, object]]) -> dict[Principal, frozenset[str]]:
    """Principal -> union of privileges (roles sharing a principal add up)."""
    out: dict[Principal, set[str]] = {}
    for principal, privileges in pairs:
        out.setdefault(principal, set()).update(privileges)  # type: ignore[arg-type]
    return {p: frozenset(v) for p, v in out.items()}


def highest_levels(pairs: list[tuple[Principal, object]], rank: tuple[str, ...]) -> dict[Principal, str]:
    """Principal -> the highest level by ``rank`` (roles sharing a principal)."""
    out: dict[Principal, str] = {}
    for principal, level in pairs:
        current = out.get(principal)
        if current is None or rank.index(level) > rank.index(current):  # type: ignore[arg-type]
            out[principal] = level  # type: ignore[assignment]
    return out


def catalog_name(scope: Construct, env: EnvironmentConfig) -> str:
    """The catalog's name: a token referencing it when the platform is in this stack
    (Terraform then orders schemas after the catalog), else the configured name."""
    platform = platform_of(scope)
    return platform.catalog.name if platform is not None else env.catalog.name


def configure_account_provider(scope: Construct, env: EnvironmentConfig) -> DatabricksProvider:
    """The account-level provider (alias 'account'), for account-level service principals.
    Credentials come from DATABRICKS_* variables or the profile, never from config."""
    acc = env.account
    assert acc is not None
    return DatabricksProvider(scope, "databricks_account", alias="account", host=acc.host,
                              account_id=acc.account_id, auth_type=acc.auth_type, profile=acc.profile)


# --------------------------------------------------------------------------- composition

class PlatformUnits(Construct):
    """The environment's shared governance units (construct id ``platform``)."""

    def __init__(self, scope: Construct, env: EnvironmentConfig):
        super().__init__(scope, PLATFORM_ID)
        stack = TerraformStack.of(scope)
        account = None
        if any(sp.level == "account" for sp in env.service_principals.values()):
            account = configure_account_provider(stack, env)
        self.service_principals: dict[str, ServicePrincipalUnit] = {}
        for key, sp in sorted(env.service_principals.items()):
            ent = sp.entitlements
            self.service_principals[key] = ServicePrincipalUnit(self, f"service_principal_{key}", ServicePrincipalProps(
                mode="create" if sp.create else "reference",
                display_name=service_principal_display_name(env, key),
                application_id=sp.application_id, level=sp.level, groups=tuple(sp.groups),
                entitlements=EntitlementsProps(**ent.model_dump()) if ent is not None else None,
                account_provider=account if sp.level == "account" else None,
                workspace_id=env.account.workspace_id if env.account else None, label=key))
        self.deployer = deployer_principal(env)
        cat = env.catalog
        self.catalog = UcCatalog(self, "catalog", UcCatalogProps(
            name=cat.name, create=cat.create, comment=cat.comment, owner=resolve_owner(self, env, cat.owner),
            storage_root=cat.storage_root, properties=dict(cat.properties),
            prevent_destroy=prevent_destroy(env.protection, cat.protection) if cat.create else False,
            grants=union_grants(role_map(self, env, env.roles, cat.grants)),
            grant_mode=catalog_grant_mode(env), deployer=self.deployer))
        self.secret_scopes: dict[str, SecretScopeUnit] = {}
        for key, scope_cfg in sorted(env.secret_scopes.items()):
            self.secret_scopes[key] = SecretScopeUnit(self, f"secret_scope_{key}", SecretScopeProps(
                name=scope_cfg.name or key,
                acls=highest_levels(role_map(self, env, env.roles, scope_cfg.acls), SECRET_PERMISSIONS),
                deployer=self.deployer))
        self.permissions: dict[str, ObjectPermissions] = {}
        for section, otype in (("cluster_policies", "cluster_policy"), ("sql_warehouses", "sql_warehouse")):
            attribute, levels, _ = WORKSPACE_OBJECTS[otype]
            for name, obj in sorted(getattr(env.permissions, section).items()):
                self.permissions[f"{otype}_{name}"] = ObjectPermissions(
                    self, f"{otype}_{name}", ObjectPermissionsProps(
                        object_attribute=attribute, object_id=obj.id,
                        access=highest_levels(role_map(self, env, env.roles, obj.access), levels),
                        valid_levels=frozenset(levels)))

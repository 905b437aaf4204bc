"""Compose an environment's shared governance pieces.

PlatformUnits (construct id ``platform``) holds what one environment shares:
the catalog and its grants, service principals, secret scopes with ACLs and
permissions on shared workspace objects. It lives in the ``<env>`` stack
(per-environment layout) or the ``<env>-platform`` stack (per-project layout).

Every name, grant, level and protection comes resolved (resolution.environment);
principals are mapped with ``self.principals`` (its own service principals), which
the stack's StackRefs reuses.
"""

from __future__ import annotations

from constructs import Construct

from mlops_constructs.catalog import UcCatalog, UcCatalogProps
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.secret_scope import SecretScopeProps, SecretScopeUnit
from mlops_constructs.service_principal import (EntitlementsSpec, ServicePrincipalProps,
                                                ServicePrincipalUnit)
from mlops_engine.databricks import DatabricksProvider
from platform_config import EnvironmentConfig
from resolution import ResolvedEnvironment
from stacks.located import configured_at
from stacks.refs import PrincipalRefs
from mlops_constructs.unit import Unit

PLATFORM_ID = "platform"


def configure_account_provider(scope: Construct, env: EnvironmentConfig) -> DatabricksProvider:
    """The account-level provider (alias 'account'), for account-level service principals.
    Credentials come from DATABRICKS_* variables or the profile, never from config."""
    acc = env.account
    assert acc is not None
    return DatabricksProvider(scope, "databricks_account", alias="account", host=acc.host,
                              account_id=acc.account_id, auth_type=acc.auth_type, profile=acc.profile)


class PlatformUnits(Unit):
    """The environment's shared governance units (construct id ``platform``), as children of
    ``stack``."""

    def __init__(self, stack: Construct, env: ResolvedEnvironment):
        super().__init__(stack, PLATFORM_ID)
        config = env.config
        account = configure_account_provider(stack, config) if env.needs_account_provider else None
        self.service_principals: dict[str, ServicePrincipalUnit] = {}
        for key, sp in env.service_principals.items():
            sp_id = f"service_principal_{key}"
            provider = account if sp.level == "account" else None
            with configured_at(env, ("service_principals", key)):
                if sp.create:
                    ent = sp.entitlements
                    unit = ServicePrincipalUnit(self, sp_id, ServicePrincipalProps(
                        display_name=sp.display_name, application_id=sp.application_id,
                        level=sp.level, groups=sp.groups,  # type: ignore[arg-type]
                        entitlements=EntitlementsSpec(**ent.model_dump()) if ent is not None else None,
                        account_provider=provider,
                        workspace_id=config.account.workspace_id if config.account else None, label=key))
                else:  # referenced: config requires its application id
                    assert sp.application_id, f"service principal {key!r} is referenced without application id"
                    unit = ServicePrincipalUnit.from_application_id(
                        self, sp_id, sp.application_id, level=sp.level, groups=sp.groups,  # type: ignore[arg-type]
                        account_provider=provider, label=key)
            self.service_principals[key] = unit
        self.principals = PrincipalRefs(dict(self.service_principals))
        refs = self.principals
        self.deployer = refs.deployer(env.deployer)
        cat = env.catalog
        grants = refs.grants(cat.grants)
        with configured_at(env, ("catalog",)):
            if cat.create:
                self.catalog = UcCatalog(self, "catalog", UcCatalogProps(
                    name=cat.name, comment=cat.comment, owner=refs.owner(cat.owner),
                    storage_root=cat.storage_root, properties=dict(cat.properties),
                    prevent_destroy=cat.prevent_destroy, grants=grants, grant_mode=cat.grant_mode,
                    deployer=self.deployer))
            else:
                # owned elsewhere: comment/owner/storage/properties are config errors (check_environment)
                self.catalog = UcCatalog.from_name(self, "catalog", cat.name, grants=grants,
                                                   grant_mode=cat.grant_mode, deployer=self.deployer)
        self.secret_scopes: dict[str, SecretScopeUnit] = {}
        for key, scope_cfg in env.secret_scopes.items():
            with configured_at(env, ("secret_scopes", key)):
                self.secret_scopes[key] = SecretScopeUnit(self, f"secret_scope_{key}", SecretScopeProps(
                    name=scope_cfg.name, acls=refs.levels(scope_cfg.acls), deployer=self.deployer))
        self.permissions: dict[str, ObjectPermissions] = {}
        for obj in env.workspace_permissions:
            self.permissions[obj.unit_id] = ObjectPermissions(self, obj.unit_id, ObjectPermissionsProps(
                object_attribute=obj.object_attribute, object_id=obj.object_id,
                access=refs.levels(obj.access), valid_levels=frozenset(obj.levels)))

"""ServicePrincipalUnit: a service principal created (workspace or account level) or referenced,
with group membership; usable for grants, job run_as and as owner by its application id.

* created at ``workspace`` level (``ServicePrincipalUnit(scope, id, props)``):
  databricks_service_principal with the workspace provider; entitlements set on it.
* created at ``account`` level: databricks_service_principal with the account
  provider, assigned to the workspace with databricks_mws_permission_assignment
  (provider docs: service_principal, mws_permission_assignment); entitlements
  with databricks_entitlements in the workspace.
* referenced (``ServicePrincipalUnit.from_application_id`` or ``.from_display_name``,
  the only spelling for one the platform does not own): an existing service
  principal, looked up with the databricks_service_principal data source, so a
  typo fails ``terraform plan`` instead of granting to nobody.

Group membership: databricks_group_member per group (the group looked up by
display name at the same level), addressed by group name, sorted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops_engine import TerraformProvider, Token
from mlops_engine.databricks import (
    DataDatabricksGroup, DataDatabricksServicePrincipal, Entitlements, GroupMember,
    MwsPermissionAssignment, ServicePrincipal
)

from databricks_spec.diagnostics import ConstructError
from databricks_spec.rules.service_principals import service_principal
from mlops_constructs.principal import Principal, address_id
from mlops_constructs.rule_adapter import refuse
from mlops_constructs.reference import reference_unit
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class EntitlementsSpec:
    """Workspace entitlements of a created service principal (provider docs: entitlements)."""

    workspace_access: bool = True
    """Access to the workspace (needed to run jobs). Default: true."""
    databricks_sql_access: bool = False
    """Access to Databricks SQL. Default: false."""
    allow_cluster_create: bool = False
    """Create clusters outside cluster policies. Default: false (least privilege)."""


@dataclass(frozen=True, kw_only=True)
class ServicePrincipalProps:
    """A service principal this platform creates. One it does not own: the ``from_*`` factories."""

    display_name: str | None = None
    """Display name. Required for a Databricks-managed principal (no application_id).
    Default: unset."""
    application_id: str | None = None
    """Application id (UUID) of an Azure-managed principal (Azure only). Default: unset
    (Databricks generates it)."""
    level: Literal["workspace", "account"] = "workspace"
    """Where it is created and where its group memberships are managed. Default: workspace."""
    groups: tuple[str, ...] = ()
    """Display names of groups it joins (at ``level``). Default: none."""
    entitlements: EntitlementsSpec | None = None
    """Workspace entitlements. Default: unset (provider defaults)."""
    account_provider: TerraformProvider | None = None
    """The account-level provider; required for level 'account'. Default: unset."""
    workspace_id: str | None = None
    """Workspace (numeric id) an account-level principal is assigned to; required for level
    'account'. Default: unset."""
    label: str | None = None
    """Stable name for addresses/sorting when the application id is a token (its config key).
    Default: the display name or application id."""


class ServicePrincipalUnit(FlatUnit):
    """Exposes ``application_id`` (literal when known, else a token), ``scim_id`` (token) and
    ``principal`` (a Principal of kind service_principal_name).

    One the platform does not own: ``ServicePrincipalUnit.from_application_id(...)`` or
    ``ServicePrincipalUnit.from_display_name(...)`` (a databricks_service_principal data source
    named "Existing")."""

    @classmethod
    def from_application_id(cls, scope: Scope, id: str, application_id: str, *,
                            level: Literal["workspace", "account"] = "workspace", groups: tuple[str, ...] = (),
                            account_provider: TerraformProvider | None = None,
                            label: str | None = None) -> "ServicePrincipalUnit":
        """Reference an existing service principal by application id (data source "Existing").
        ``groups``: groups it joins, managed here. Default: none."""
        return cls._existing(scope, id, application_id, None, level, groups, account_provider, label)

    @classmethod
    def from_display_name(cls, scope: Scope, id: str, display_name: str, *,
                          level: Literal["workspace", "account"] = "workspace", groups: tuple[str, ...] = (),
                          account_provider: TerraformProvider | None = None,
                          label: str | None = None) -> "ServicePrincipalUnit":
        """Reference an existing service principal by display name (data source "Existing");
        its application id is a token. ``label``: a stable sort/address key (its config key).
        Default: the display name."""
        return cls._existing(scope, id, None, display_name, level, groups, account_provider, label)

    @classmethod
    def _existing(cls, scope: Scope, id: str, application_id: str | None, display_name: str | None,
                  level: str, groups: tuple[str, ...], account_provider: TerraformProvider | None,
                  label: str | None) -> "ServicePrincipalUnit":
        unit = reference_unit(cls, scope, id)
        refuse(unit, service_principal(create=False, application_id=application_id, display_name=display_name))
        provider = unit._provider(level, account_provider)
        lookup = DataDatabricksServicePrincipal(*unit.at("Existing"), provider=provider, application_id=application_id,
            display_name=None if application_id else display_name)
        unit.scim_id = lookup.id
        unit.application_id = application_id or lookup.application_id
        unit._finish(application_id, label or display_name, groups, provider)
        return unit

    def __init__(self, scope: Scope, id: str, props: ServicePrincipalProps):
        super().__init__(scope, id)
        refuse(self, service_principal(create=True, application_id=props.application_id,
                                       display_name=props.display_name))
        provider = self._provider(props.level, props.account_provider)
        if props.level == "account" and not props.workspace_id:
            raise ConstructError(self, f"an account-level service principal needs workspace_id to be "
                             "assigned to the workspace (provider docs: mws_permission_assignment)")
        ent = props.entitlements
        on_sp = ent if (ent is not None and props.level == "workspace") else None
        self.resource = ServicePrincipal(*self.at("Resource"), display_name=props.display_name, application_id=props.application_id,
            provider=provider,
            workspace_access=on_sp.workspace_access if on_sp else None,
            databricks_sql_access=on_sp.databricks_sql_access if on_sp else None,
            allow_cluster_create=on_sp.allow_cluster_create if on_sp else None,
        )
        self.scim_id: str = self.resource.id
        self.application_id: str = props.application_id or self.resource.application_id
        if props.level == "account":
            assignment = MwsPermissionAssignment(*self.at("WorkspaceAssignment"), provider=provider, workspace_id=int(props.workspace_id),
                principal_id=Token.as_number(self.resource.id), permissions=["USER"])
            if ent is not None:
                Entitlements(*self.at("Entitlements"), service_principal_id=self.resource.id,
                             workspace_access=ent.workspace_access,
                             databricks_sql_access=ent.databricks_sql_access,
                             allow_cluster_create=ent.allow_cluster_create, depends_on=[assignment])
        self._finish(props.application_id, props.label or props.display_name, props.groups, provider)

    def _provider(self, level: str, account_provider: TerraformProvider | None) -> TerraformProvider | None:
        if level not in ("workspace", "account"):
            raise ConstructError(self, f"level must be 'workspace' or 'account', got {level!r}")
        if level == "account" and account_provider is None:
            raise ConstructError(self, f"an account-level service principal needs the account-level "
                             "provider (provider docs: service_principal)")
        return account_provider if level == "account" else None

    def _finish(self, application_id: str | None, label: str | None, groups: tuple[str, ...],
                provider: TerraformProvider | None) -> None:
        """``principal`` and the group memberships (databricks_group_member per group, sorted)."""
        self.principal = Principal(name=self.application_id, kind="service_principal_name",
                                   label=None if application_id else label)
        self.memberships = {}
        for group in sorted(set(groups)):
            sid = address_id(group)
            found = DataDatabricksGroup(*self.at(f"Group_{sid}"), display_name=group, provider=provider)
            self.memberships[group] = GroupMember(*self.at(f"Member_{sid}"), group_id=found.id,
                                                  member_id=self.scim_id, provider=provider)

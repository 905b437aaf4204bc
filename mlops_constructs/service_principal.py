"""ServicePrincipalUnit: a service principal created (workspace or account level) or referenced,
with group membership; usable for grants, job run_as and as owner by its application id.

* ``create`` at ``workspace`` level: databricks_service_principal with the
  workspace provider; entitlements set on it.
* ``create`` at ``account`` level: databricks_service_principal with the account
  provider, assigned to the workspace with databricks_mws_permission_assignment
  (provider docs: service_principal, mws_permission_assignment); entitlements
  with databricks_entitlements in the workspace.
* ``reference``: an existing service principal, looked up with the
  databricks_service_principal data source (by application id, or by display
  name), so a typo fails ``terraform plan`` instead of granting to nobody.

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
from constructs import Construct

from databricks_spec.diagnostics import ConstructError
from databricks_spec.formats import UUID
from mlops_constructs.principal import Principal, address_id


@dataclass(frozen=True, kw_only=True)
class EntitlementsProps:
    """Workspace entitlements of a created service principal (provider docs: entitlements)."""

    workspace_access: bool = True
    """Access to the workspace (needed to run jobs). Default: true."""
    databricks_sql_access: bool = False
    """Access to Databricks SQL. Default: false."""
    allow_cluster_create: bool = False
    """Create clusters outside cluster policies. Default: false (least privilege)."""


@dataclass(frozen=True, kw_only=True)
class ServicePrincipalProps:
    mode: Literal["create", "reference"]
    """create: this platform creates it; reference: it exists already."""
    display_name: str | None = None
    """Display name. Required to create a Databricks-managed principal (no application_id) and to
    reference one without application_id. Default: unset."""
    application_id: str | None = None
    """Application id (UUID). create: an Azure-managed principal (Azure only); reference: the
    principal to look up. Default: unset (Databricks generates it on create)."""
    level: Literal["workspace", "account"] = "workspace"
    """Where it is created and where its group memberships are managed. Default: workspace."""
    groups: tuple[str, ...] = ()
    """Display names of groups it joins (at ``level``). Default: none."""
    entitlements: EntitlementsProps | None = None
    """Workspace entitlements; create only. Default: unset (provider defaults)."""
    account_provider: TerraformProvider | None = None
    """The account-level provider; required for level 'account'. Default: unset."""
    workspace_id: str | None = None
    """Workspace (numeric id) an account-level principal is assigned to; required for level
    'account' with mode 'create'. Default: unset."""
    label: str | None = None
    """Stable name for addresses/sorting when the application id is a token (its config key).
    Default: the display name or application id."""


class ServicePrincipalUnit(Construct):
    """Exposes ``application_id`` (literal when known, else a token), ``scim_id`` (token) and
    ``principal`` (a Principal of kind service_principal_name).

    One the platform does not own: ``ServicePrincipalUnit.from_application_id(...)`` or
    ``ServicePrincipalUnit.from_display_name(...)``."""

    @classmethod
    def from_application_id(cls, scope: Construct, id: str, application_id: str, *,
                            level: Literal["workspace", "account"] = "workspace", groups: tuple[str, ...] = (),
                            account_provider: TerraformProvider | None = None,
                            label: str | None = None) -> "ServicePrincipalUnit":
        """Reference an existing service principal by application id (data source "Existing").
        ``groups``: groups it joins, managed here. Default: none."""
        return cls(scope, id, ServicePrincipalProps(
            mode="reference", application_id=application_id, level=level, groups=tuple(groups),
            account_provider=account_provider, label=label))

    @classmethod
    def from_display_name(cls, scope: Construct, id: str, display_name: str, *,
                          level: Literal["workspace", "account"] = "workspace", groups: tuple[str, ...] = (),
                          account_provider: TerraformProvider | None = None,
                          label: str | None = None) -> "ServicePrincipalUnit":
        """Reference an existing service principal by display name (data source "Existing");
        its application id is a token. ``label``: a stable sort/address key (its config key).
        Default: the display name."""
        return cls(scope, id, ServicePrincipalProps(
            mode="reference", display_name=display_name, level=level, groups=tuple(groups),
            account_provider=account_provider, label=label))

    def __init__(self, scope: Construct, id: str, props: ServicePrincipalProps):
        super().__init__(scope, id)
        if props.application_id is not None and not UUID.match(props.application_id):
            raise ConstructError(self, f"application_id must be a UUID, got {props.application_id!r} "
                             "(provider docs: service_principal, 'Argument Reference')")
        if props.level not in ("workspace", "account"):
            raise ConstructError(self, f"level must be 'workspace' or 'account', got {props.level!r}")
        if props.level == "account" and props.account_provider is None:
            raise ConstructError(self, f"an account-level service principal needs the account-level "
                             "provider (provider docs: service_principal)")
        provider = props.account_provider if props.level == "account" else None
        if props.mode == "create":
            if not props.display_name and not props.application_id:
                raise ConstructError(self, f"creating a service principal needs display_name "
                                 "(Databricks-managed) or application_id (Azure-managed) "
                                 "(provider docs: service_principal, 'Argument Reference')")
            if props.level == "account" and not props.workspace_id:
                raise ConstructError(self, f"an account-level service principal needs workspace_id to be "
                                 "assigned to the workspace (provider docs: mws_permission_assignment)")
            ent = props.entitlements
            on_sp = ent if (ent is not None and props.level == "workspace") else None
            self.resource = ServicePrincipal(
                self, "Resource", display_name=props.display_name, application_id=props.application_id,
                provider=provider,
                workspace_access=on_sp.workspace_access if on_sp else None,
                databricks_sql_access=on_sp.databricks_sql_access if on_sp else None,
                allow_cluster_create=on_sp.allow_cluster_create if on_sp else None,
            )
            self.scim_id: str = self.resource.id
            self.application_id: str = props.application_id or self.resource.application_id
            if props.level == "account":
                assignment = MwsPermissionAssignment(
                    self, "WorkspaceAssignment", provider=provider, workspace_id=int(props.workspace_id),
                    principal_id=Token.as_number(self.resource.id), permissions=["USER"])
                if ent is not None:
                    Entitlements(self, "Entitlements", service_principal_id=self.resource.id,
                                 workspace_access=ent.workspace_access,
                                 databricks_sql_access=ent.databricks_sql_access,
                                 allow_cluster_create=ent.allow_cluster_create, depends_on=[assignment])
        elif props.mode == "reference":
            if props.entitlements is not None:
                raise ConstructError(self, f"entitlements apply only to a service principal this platform "
                                 "creates; a referenced one keeps its own")
            if not props.application_id and not props.display_name:
                raise ConstructError(self, f"a referenced service principal needs application_id or "
                                 "display_name (provider docs: data source service_principal)")
            self.resource = None
            lookup = DataDatabricksServicePrincipal(
                self, "Existing", provider=provider, application_id=props.application_id,
                display_name=None if props.application_id else props.display_name)
            self.scim_id = lookup.id
            self.application_id = props.application_id or lookup.application_id
        else:
            raise ConstructError(self, f"mode must be 'create' or 'reference', got {props.mode!r}")
        self.principal = Principal(name=self.application_id, kind="service_principal_name",
                                   label=None if props.application_id else
                                   (props.label or props.display_name))
        self.memberships = {}
        for group in sorted(set(props.groups)):
            sid = address_id(group)
            found = DataDatabricksGroup(self, f"Group_{sid}", display_name=group, provider=provider)
            self.memberships[group] = GroupMember(self, f"Member_{sid}", group_id=found.id,
                                                  member_id=self.scim_id, provider=provider)

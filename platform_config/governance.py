"""Unity Catalog governance config: grants, service principals, secret scopes,
workspace permissions and protection of stateful resources.

The same concept as ``stacks.governance`` (which composes the data units), seen from the
config layer.

Environment-level pieces (``deployer``, ``service_principals``, ``secret_scopes``,
``permissions``, ``protection``, ``account``) are fields of EnvironmentConfig;
project-level pieces (``schemas``, ``volumes``, ``grants``) are fields of
ProjectConfig. Every rule a user can break is checked here so the error names
file, line and key (see docs/governance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from databricks_spec.formats import UUID
from databricks_spec.names import secret_scope_name_problem
from databricks_spec.permissions import SecretPermission
from databricks_spec.rules import Finding
from databricks_spec.enums import VolumeType
from databricks_spec.rules.unity_catalog import referenced_catalog, volume_storage
from databricks_spec.rules.permissions import object_permission_levels, privileges
from databricks_spec.rules.service_principals import service_principal
from platform_config.base import Model, Slug, UcName, snake
from platform_config.references import RoleName, role_references
from platform_config.rule_adapter import checked_by, raise_findings

if TYPE_CHECKING:  # pragma: no cover
    from platform_config.environment import EnvironmentConfig
    from platform_config.project import ProjectConfig

GrantMode = Literal["authoritative", "additive"]

#: Role -> privileges on one securable, e.g. ``readers: [USE_SCHEMA, SELECT]``.
RoleGrants = dict[RoleName, list[str]]


# --------------------------------------------------------------------------- helpers

def privilege_problems(securable_type: str, grants: dict[str, list[str]],
                       loc: tuple = ("grants",)) -> list[Finding]:
    """The provider's privilege rule (databricks_spec.rules.permissions) on grants at ``loc``."""
    return [f.at(*loc) for f in privileges(securable_type, grants)]


# --------------------------------------------------------------------------- shared models

class ProtectionConfig(Model):
    """A per-resource override of the environment's ``protection.prevent_destroy``."""

    prevent_destroy: bool
    """Terraform lifecycle prevent_destroy for this resource. Required."""
    reason: str = Field(min_length=1)
    """Why this resource differs from the environment's default; shows up in review. Required."""


class EnvironmentProtectionConfig(Model):
    """Protection of stateful resources (catalog, schemas, volumes, registered models)."""

    prevent_destroy: bool = True
    """Default lifecycle prevent_destroy for stateful resources: Terraform refuses any plan
    that would destroy (or replace) them. Default: true; the shipped dev.yaml sets false."""


def prevent_destroy(env_protection: EnvironmentProtectionConfig, override: ProtectionConfig | None) -> bool:
    """The effective prevent_destroy of one resource: its override, else the environment's."""
    return override.prevent_destroy if override is not None else env_protection.prevent_destroy


# --------------------------------------------------------------------------- environment models

class AccountConfig(Model):
    """The Databricks account, needed only for account-level service principals."""

    host: str
    """Account console URL, e.g. https://accounts.azuredatabricks.net. Required."""
    account_id: str
    """Account id (UUID; not a secret). Required."""
    workspace_id: str
    """Numeric id of this environment's workspace, to assign account-level principals to it. Required."""
    auth_type: str | None = None
    """Provider auth type for the account. Default: unset (the provider picks)."""
    profile: str | None = None
    """~/.databrickscfg profile for the account. Default: unset."""

    @field_validator("host")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://accounts."):
            raise ValueError("must be the account console URL, e.g. https://accounts.azuredatabricks.net")
        return value.rstrip("/")

    @field_validator("account_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if not UUID.match(value):
            raise ValueError("must be the account id (a UUID)")
        return value

    @field_validator("workspace_id")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("must be the numeric workspace id")
        return value


class EntitlementsConfig(Model):
    """Workspace entitlements of a created service principal."""

    workspace_access: bool = True
    """Default: true (needed to run jobs)."""
    databricks_sql_access: bool = False
    """Default: false."""
    allow_cluster_create: bool = False
    """Default: false (clusters come from policies)."""


class ServicePrincipalConfig(Model):
    """A service principal, named by its key in ``service_principals`` (e.g. jobs_runner)."""

    create: bool = False
    """True: this platform creates it. False: it exists and is referenced by application_id.
    Default: false."""
    level: Literal["workspace", "account"] = "workspace"
    """Where it is created and its group memberships are managed; account needs ``account``.
    Default: workspace."""
    application_id: str | None = None
    """Application id (UUID, not a secret). Required when referenced; when created, set it
    for an Azure-managed principal, leave it unset for a Databricks-managed one. Default: unset."""
    display_name: str | None = None
    """Display name when created. Default: the key with the environment's naming rule
    (e.g. staging-jobs_runner)."""
    groups: list[str] = Field(default_factory=list)
    """Display names of groups it joins. Default: none."""
    entitlements: EntitlementsConfig | None = None
    """Workspace entitlements (created principals only). Default: unset (provider defaults)."""

    @model_validator(mode="after")
    def _mode(self) -> "ServicePrincipalConfig":
        raise_findings(service_principal(create=self.create, application_id=self.application_id,
                                         display_name=self.display_name,
                                         entitlements=self.entitlements is not None, by_display_name=False,
                                         name_derived=True))
        return self


class DeployerConfig(Model):
    """The principal that runs ``terraform apply`` in this environment: exactly one of the keys."""

    service_principal: str | None = None
    """A key of ``service_principals`` (referenced, as it must exist before the first deploy)
    or an application id. Default: unset."""
    user: str | None = None
    """A user name (e-mail). Default: unset."""
    group: str | None = None
    """A group display name. Default: unset."""

    @model_validator(mode="after")
    def _one(self) -> "DeployerConfig":
        set_keys = [k for k in ("service_principal", "user", "group") if getattr(self, k)]
        if len(set_keys) != 1:
            raise ValueError("set exactly one of service_principal, user, group")
        return self


class SecretScopeConfig(Model):
    """A Databricks-backed secret scope. Holds names only: values are put outside Terraform."""

    name: Annotated[str, checked_by(secret_scope_name_problem)] | None = None
    """Scope name. Default: the key (the same in every environment, so
    {{secrets/<scope>/<key>}} references need no per-environment override)."""
    acls: dict[RoleName, SecretPermission] = Field(default_factory=dict)
    """Role -> READ / WRITE / MANAGE. Default: none (only the deployer, who creates it, has MANAGE)."""
    keys: list[str] = Field(default_factory=list)
    """Names of the secrets expected in the scope (documentation for operators; no value is
    ever stored). Default: none."""


class WorkspaceObjectAccessConfig(Model):
    """An existing workspace object (by id) and who may use it, by role."""

    id: str
    """The object's id, e.g. a cluster policy id or SQL warehouse id. Required."""
    access: dict[RoleName, str] = Field(default_factory=dict)
    """Role -> permission level; list at least one role (Default: none, reported as an error)."""


class WorkspacePermissionsConfig(Model):
    """databricks_permissions for existing shared workspace objects, driven by roles.

    Authoritative for each object: permissions granted elsewhere on it are removed."""

    cluster_policies: dict[Slug, WorkspaceObjectAccessConfig] = Field(default_factory=dict)
    """Name -> cluster policy id and access (CAN_USE). Default: none."""
    sql_warehouses: dict[Slug, WorkspaceObjectAccessConfig] = Field(default_factory=dict)
    """Name -> SQL warehouse id and access (CAN_VIEW, CAN_MONITOR, CAN_USE, CAN_MANAGE, IS_OWNER).
    Default: none."""

    @model_validator(mode="after")
    def _levels(self) -> "WorkspacePermissionsConfig":
        errors = []
        for section, otype in (("cluster_policies", "cluster_policy"), ("sql_warehouses", "sql_warehouse")):
            for name, obj in getattr(self, section).items():
                if not obj.access:
                    errors.append(Finding((section, name, "access"), "list at least one role"))
                errors += [f.at(section, name, "access") for f in object_permission_levels(otype, obj.access)]
        raise_findings(errors)
        return self


def check_environment(env: "EnvironmentConfig") -> None:
    """Cross-field rules of one environment file, raised at exact key paths."""
    errors: list[Finding] = []
    known_roles = ", ".join(sorted(env.roles)) or "none"
    for path, role in role_references(env):
        if role not in env.roles:
            errors.append(Finding(path, f"unknown role '{role}' (known: {known_roles})"))
    sps = env.service_principals
    known_sps = ", ".join(sorted(sps)) or "none"
    for role, members in env.roles.items():
        for i, entry in enumerate(members.service_principals):
            if not UUID.match(entry) and entry not in sps:
                errors.append(Finding(("roles", role, "service_principals", i),
                               f"'{entry}' is neither an application id (UUID) nor a key of "
                               f"service_principals (known: {known_sps})"))
    for key, sp in sps.items():
        if sp.level == "account" and sp.create and env.account is None:
            errors.append(Finding(("service_principals", key, "level"),
                           "an account-level service principal needs the 'account' section "
                           "(host, account_id, workspace_id)"))
        if sp.create and sp.application_id and env.cloud != "azure":
            errors.append(Finding(("service_principals", key, "application_id"),
                           f"only Azure accepts application_id for a created service principal; on "
                           f"{env.cloud} Databricks generates it (provider docs: service_principal)"))
    if env.deployer is not None and env.deployer.service_principal:
        ref = env.deployer.service_principal
        if ref in sps and sps[ref].create:
            errors.append(Finding(("deployer", "service_principal"),
                           f"the deployer must exist before the first deploy; reference '{ref}' "
                           "(create: false, application_id) instead of creating it"))
        elif ref not in sps and not UUID.match(ref):
            errors.append(Finding(("deployer", "service_principal"),
                           f"'{ref}' is neither an application id (UUID) nor a key of service_principals "
                           f"(known: {known_sps})"))
    errors.extend(privilege_problems("catalog", env.catalog.grants, ("catalog", "grants")))
    if not env.catalog.create:
        errors += [f.at("catalog") for f in referenced_catalog(
            {k: getattr(env.catalog, k) for k in ("comment", "owner", "storage_root", "properties", "protection")})]
    raise_findings(errors)


def catalog_grant_mode(env: "EnvironmentConfig") -> GrantMode:
    """Explicit grant_mode, else authoritative for a created catalog and additive for a
    referenced one (the owning team's grants must survive)."""
    return env.catalog.grant_mode or ("authoritative" if env.catalog.create else "additive")


# --------------------------------------------------------------------------- project models

class SchemaConfig(Model):
    """A schema of the project, named by its key in ``schemas`` (e.g. features, models)."""

    name: UcName | None = None
    """Schema name in the environment's catalog. Default: '<project>_<key>' in snake_case."""
    comment: str | None = None
    """Default: '<key> of <project>: <description>'."""
    owner: str | None = None
    """A service principal key or a principal name (group, user, application id).
    Default: the deploying principal."""
    storage_root: str | None = None
    """Managed location (change forces replacement). Default: the catalog's."""
    properties: dict[str, str] = Field(default_factory=dict)
    """Schema properties. Default: none."""
    grants: RoleGrants = Field(default_factory=dict)
    """Role -> privileges on the schema. Default: none."""
    grant_mode: GrantMode = "authoritative"
    """authoritative (databricks_grants) or additive (databricks_grant per principal). Default: authoritative."""
    protection: ProtectionConfig | None = None
    """Override the environment's prevent_destroy, with a reason. Default: the environment's."""

    @model_validator(mode="after")
    def _privileges(self) -> "SchemaConfig":
        raise_findings(privilege_problems("schema", self.grants))
        return self


class VolumeConfig(Model):
    """A volume in one of the project's schemas, named by its key in ``volumes``."""

    schema_key: Slug = Field(alias="schema")
    """Key of the project schema holding it (e.g. features). Required."""
    name: UcName | None = None
    """Volume name. Default: the key in snake_case."""
    volume_type: VolumeType = "MANAGED"
    """Default: MANAGED."""
    storage_location: str | None = None
    """URL inside an external location; required for EXTERNAL. Default: unset."""
    comment: str | None = None
    """Default: none."""
    owner: str | None = None
    """A service principal key or a principal name. Default: the deploying principal."""
    grants: RoleGrants = Field(default_factory=dict)
    """Role -> privileges on the volume (READ_VOLUME, WRITE_VOLUME, ...). Default: none."""
    grant_mode: GrantMode = "authoritative"
    """Default: authoritative."""
    protection: ProtectionConfig | None = None
    """Override the environment's prevent_destroy, with a reason. Default: the environment's."""

    @model_validator(mode="after")
    def _rules(self) -> "VolumeConfig":
        errors = privilege_problems("volume", self.grants) + volume_storage(self.volume_type, self.storage_location)
        raise_findings(errors)
        return self


class ObjectGrantsConfig(Model):
    """Grants on tables and functions that pipelines create (they must exist at apply).

    Keys are '<schema key>.<object>' for an object in a project schema, or a full
    '<catalog>.<schema>.<object>' name for one elsewhere."""

    tables: dict[str, RoleGrants] = Field(default_factory=dict)
    """Table or view -> role -> privileges (SELECT, MODIFY, ...). Default: none."""
    functions: dict[str, RoleGrants] = Field(default_factory=dict)
    """Function -> role -> privileges (EXECUTE, ...). Default: none."""
    grant_mode: GrantMode = "authoritative"
    """For all of them. Default: authoritative."""

    @model_validator(mode="after")
    def _privileges(self) -> "ObjectGrantsConfig":
        errors = []
        for section, stype in (("tables", "table"), ("functions", "function")):
            for name, grants in getattr(self, section).items():
                if name.count(".") not in (1, 2) or any(not p for p in name.split(".")):
                    errors.append(Finding((section, name), "name must be '<schema key>.<name>' or "
                                                    "'<catalog>.<schema>.<name>'"))
                errors.extend(privilege_problems(stype, grants, (section, name)))
        raise_findings(errors)
        return self


def check_project(project: "ProjectConfig") -> None:
    """Cross-field rules within one resolved project, raised at exact key paths."""
    errors: list[Finding] = []
    known = ", ".join(sorted(project.schemas)) or "none"
    for key, volume in project.volumes.items():
        if volume.schema_key not in project.schemas:
            errors.append(Finding(("volumes", key, "schema"),
                           f"unknown schema '{volume.schema_key}' (the project's schemas: {known})"))
    for section in ("tables", "functions"):
        for name in getattr(project.grants, section):
            parts = name.split(".")
            if len(parts) == 2 and parts[0] not in project.schemas:
                errors.append(Finding(("grants", section, name),
                               f"unknown schema '{parts[0]}' (the project's schemas: {known}); "
                               "use '<catalog>.<schema>.<name>' for objects outside the project"))
    if project.model.schema_name is None and "models" not in project.schemas:
        errors.append(Finding(("schemas",), "the registered model goes into the 'models' schema by default: "
                                     "declare schemas.models or set model.schema"))
    names: dict[str, str] = {}
    for key in project.schemas:
        name = project_schema_name(project, key)
        if name in names:
            errors.append(Finding(("schemas", key, "name"), f"schema name '{name}' also used by schemas.{names[name]}"))
        names[name] = key
    raise_findings(errors)


def project_schema_name(project: "ProjectConfig", key: str) -> str:
    """A project schema's name: its ``name`` or '<project>_<key>' in snake_case."""
    return project.schemas[key].name or snake(f"{project.name}_{key}")

"""Environment configuration: one YAML file per environment in config/environments/.

The environment's name is the file's stem (``config/environments/prod.yaml`` is
``prod``); a new environment is a new file.

The same concept as ``resolution.environment`` (the environment's shared units, resolved), seen
from the config layer.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from databricks_spec.enums import Cloud
from platform_config.base import Model, Slug, Tags, UcName
from databricks_spec.rules import Finding
from platform_config.compute import EnvironmentComputeConfig
from platform_config.delivery import DeliveryConfig, delivery_problems
from platform_config.features import OnlineStoreConfig
from platform_config.governance import (AccountConfig, DeployerConfig, EnvironmentProtectionConfig, GrantMode,
                                        ProtectionConfig, RoleGrants, SecretScopeConfig,
                                        ServicePrincipalConfig, WorkspacePermissionsConfig, check_environment)
from platform_config.observability import (EnvironmentObservabilityConfig, NotificationDestinationConfig,
                                           SqlWarehouseConfig, check_environment_observability)
from platform_config.rule_adapter import raise_findings
from platform_config.serving import ServingSettingsConfig
from databricks_spec.urls import validate_workspace_host
from platform_config.pipelines import EnvironmentPipelinesConfig  # pipelines (docs/pipelines.md)


class WorkspaceConfig(Model):
    """Where the environment's Databricks workspace is and how to authenticate.

    Credentials never live here: the provider reads DATABRICKS_* environment
    variables, the named ~/.databrickscfg profile, or Terraform Cloud variables.
    """

    host: str
    """Workspace URL, e.g. https://adb-123.4.azuredatabricks.net. Required."""
    auth_type: Literal["pat", "oauth-m2m", "azure-cli", "azure-msi", "azure-client-secret",
                       "github-oidc", "databricks-cli", "google-id", "google-credentials",
                       "env-oidc", "file-oidc"] | None = None
    """Provider auth type. Default: unset, the provider picks from the environment."""
    profile: str | None = None
    """Name of a ~/.databrickscfg profile. Default: unset."""

    @field_validator("host")
    @classmethod
    def _https(cls, value: str) -> str:
        return validate_workspace_host(value)  # https://, no user info, query or fragment


class NamingConfig(Model):
    """How Databricks object names carry the environment (the one place this rule lives)."""

    style: Literal["prefix", "suffix", "none"] = "prefix"
    """prefix: ``dev-churn``; suffix: ``churn-dev``; none: ``churn``. Default: prefix."""
    token: str | None = None
    """The text added. Default: the environment's name."""
    separator: Literal["-", "_"] = "-"
    """Between token and name. Default: '-'."""


class CatalogConfig(Model):
    """The environment's Unity Catalog catalog."""

    name: UcName
    """Catalog name, e.g. mlops_prod. Required."""
    create: bool = True
    """True: this platform creates and owns the catalog. False: it exists already
    (owned by a platform team) and is only referenced. Default: true."""
    comment: str | None = None
    """Default: a generated description."""
    owner: str | None = None
    """Owning principal: a key of ``service_principals`` or a principal's name (group, user
    e-mail, application id). Default: the deployer."""
    storage_root: str | None = None
    """Managed storage location. Default: the metastore's."""
    properties: dict[str, str] = Field(default_factory=dict)
    """Catalog properties. Default: none."""
    grants: RoleGrants = Field(default_factory=dict)
    """Role -> privileges on the catalog, e.g. readers: [USE_CATALOG]. Default: none."""
    grant_mode: GrantMode | None = None
    """authoritative (databricks_grants, the whole truth) or additive (databricks_grant per
    principal). Default: authoritative when created, additive when referenced."""
    protection: ProtectionConfig | None = None
    """Override the environment's protection.prevent_destroy, with a reason. Default: the environment's."""


class PrincipalsConfig(Model):
    """The principals a role stands for in one environment."""

    groups: list[str] = Field(default_factory=list)
    """Group display names. Default: none."""
    users: list[str] = Field(default_factory=list)
    """User names (e-mail). Default: none."""
    service_principals: list[str] = Field(default_factory=list)
    """Service principals: an application id (UUID), or the key of one in the environment's
    ``service_principals`` (e.g. jobs_runner), resolved to its application id. Default: none."""

    @model_validator(mode="after")
    def _not_empty(self) -> "PrincipalsConfig":
        # An empty role would silently drop every grant and permission given to it.
        if not (self.groups or self.users or self.service_principals):
            raise ValueError("a role needs at least one of groups, users or service_principals")
        return self

    def all(self) -> list[tuple[str, str]]:
        """Sorted (kind, name) pairs; kind is group_name/user_name/service_principal_name."""
        pairs = ([("group_name", g) for g in self.groups]
                 + [("user_name", u) for u in self.users]
                 + [("service_principal_name", s) for s in self.service_principals])
        return sorted(set(pairs), key=lambda p: (p[1], p[0]))


class LocalBackend(Model):
    type: Literal["local"] = "local"
    """Backend type discriminator: local. Default: local."""
    path: str | None = None
    """State file path, relative to the stack's directory. Default: terraform.<stack>.tfstate."""
    allow_local_state: bool = False
    """Keep local state in an environment CI deploys (docs/delivery.md, State): only where the
    state file outlives the run (e.g. a self-hosted runner's persistent disk). Needs ``reason``.
    Default: false: CI-deployed environments must use a remote backend."""
    reason: str | None = Field(default=None, min_length=1)
    """Why local state is safe here; required with allow_local_state. Default: unset."""

    @model_validator(mode="after")
    def _reason(self) -> "LocalBackend":
        if self.allow_local_state and not self.reason:
            raise_findings([Finding(("allow_local_state",),
                                    "allow_local_state needs a reason (why the state file survives CI runs)")])
        if self.reason and not self.allow_local_state:
            raise_findings([Finding(("reason",), "reason applies only with allow_local_state: true")])
        return self


class CloudBackend(Model):
    """Terraform Cloud / HCP Terraform: one workspace per stack."""

    type: Literal["cloud"]
    """Backend type discriminator: cloud. Required."""
    organization: str
    """Terraform Cloud organization. Required."""
    hostname: str = "app.terraform.io"
    """Default: app.terraform.io."""
    workspace_prefix: str = "mlops-"
    """Workspace name = prefix + stack name (e.g. mlops-prod). Default: 'mlops-'."""
    project: str | None = None
    """Terraform Cloud project. Default: the organization's default project."""


class S3Backend(Model):
    type: Literal["s3"]
    """Backend type discriminator: s3. Required."""
    bucket: str
    """State bucket. Required."""
    region: str
    """Bucket region. Required."""
    key_prefix: str = "mlops"
    """State key = <key_prefix>/<stack>.tfstate. Default: 'mlops'."""
    dynamodb_table: str | None = None
    """DynamoDB lock table (legacy locking). Default: unset (use_lockfile)."""
    use_lockfile: bool = True
    """S3-native state locking. Default: true."""
    encrypt: bool = True
    """Server-side encryption of the state. Default: true."""


class AzurermBackend(Model):
    type: Literal["azurerm"]
    """Backend type discriminator: azurerm. Required."""
    resource_group_name: str
    """Resource group of the storage account. Required."""
    storage_account_name: str
    """Storage account holding the state. Required."""
    container_name: str
    """Blob container. Required."""
    key_prefix: str = "mlops"
    """State key = <key_prefix>/<stack>.tfstate. Default: 'mlops'."""
    use_azuread_auth: bool = True
    """Authenticate with Azure AD instead of access keys. Default: true."""


class GcsBackend(Model):
    type: Literal["gcs"]
    """Backend type discriminator: gcs. Required."""
    bucket: str
    """State bucket. Required."""
    prefix: str = "mlops"
    """State prefix = <prefix>/<stack>. Default: 'mlops'."""


Backend = Annotated[Union[LocalBackend, CloudBackend, S3Backend, AzurermBackend, GcsBackend],
                    Field(discriminator="type")]


class StackLayoutConfig(Model):
    layout: Literal["per-environment", "per-project"] = "per-environment"
    """per-environment: one stack <env> holding everything. per-project: a stack
    <env>-platform for shared Unity Catalog pieces plus one stack <env>-<project>
    per ML project, each with its own state. Default: per-environment."""


class EnvironmentConfig(Model):
    """One deployment target (dev, staging, prod, ...)."""

    name: Slug
    """Taken from the file name; not written in the file."""
    workspace: WorkspaceConfig
    """Workspace URL and authentication (no credentials). Required."""
    cloud: Cloud
    """Cloud of the workspace: aws, azure or gcp (node type defaults, service principal rules). Required."""
    catalog: CatalogConfig
    """The Unity Catalog catalog the environment deploys into. Required."""
    naming: NamingConfig = Field(default_factory=NamingConfig)
    """How Databricks object names carry the environment. Default: prefix with the environment name."""
    tags: Tags
    """Tags put on every taggable resource. Default: none."""
    pause_schedules: bool = True
    """Whether job and monitor schedules are created PAUSED. Default: true (safe:
    nothing runs until an environment opts in; staging and prod set false)."""
    require_job_run_as: bool = False
    """Whether every ML job of every project must set run_as (a service principal), so no
    job runs as whoever deployed it (docs/jobs.md). Default: false; staging and prod set true."""
    backend: Backend = Field(default_factory=LocalBackend)
    """Terraform state backend. Default: local state files (works offline)."""
    stacks: StackLayoutConfig = Field(default_factory=StackLayoutConfig)
    """Stack layout. Default: per-environment (one stack per environment)."""
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    """Who deploys this environment (docs/delivery.md). Default: CI for staging and prod."""
    roles: dict[Slug, PrincipalsConfig] = Field(default_factory=dict)
    """Role name -> principals in this environment, e.g. ml_engineers -> groups. Default: none."""
    account: AccountConfig | None = None
    """The Databricks account; needed only for account-level service principals. Default: unset."""
    service_principals: dict[Slug, ServicePrincipalConfig] = Field(default_factory=dict)
    """Key -> service principal created or referenced in this environment. Default: none."""
    deployer: DeployerConfig | None = None
    """The principal running terraform apply; it keeps its privileges in authoritative grants.
    Default: unset (no privileges merged; it relies on owning what it creates)."""
    secret_scopes: dict[Slug, SecretScopeConfig] = Field(default_factory=dict)
    """Key -> Databricks-backed secret scope with ACLs by role. Default: none."""
    permissions: WorkspacePermissionsConfig = Field(default_factory=WorkspacePermissionsConfig)
    """Permissions on shared workspace objects (cluster policies, SQL warehouses) by role. Default: none."""
    protection: EnvironmentProtectionConfig = Field(default_factory=EnvironmentProtectionConfig)
    """prevent_destroy default for stateful resources. Default: on."""
    serving: ServingSettingsConfig = Field(default_factory=ServingSettingsConfig)
    """Model serving policy, e.g. whether endpoints may scale to zero. Default: allowed."""
    compute: EnvironmentComputeConfig = Field(default_factory=EnvironmentComputeConfig)
    """Job cluster defaults and cluster policies (docs/jobs.md). Default: ML LTS runtime,
    a per-cloud node type, no policies."""
    sql_warehouses: dict[Slug, SqlWarehouseConfig] = Field(default_factory=dict)
    """Key -> SQL warehouse created (serverless by default) or referenced by id
    (docs/observability.md). Default: none."""
    notification_destinations: dict[Slug, NotificationDestinationConfig] = Field(default_factory=dict)
    """Key -> notification destination that jobs, alerts and endpoints name by key; secrets come
    from sensitive Terraform variables (docs/observability.md). Default: none."""
    observability: EnvironmentObservabilityConfig = Field(default_factory=EnvironmentObservabilityConfig)
    """The environment's warehouse and where dashboards and alerts live. Default: the only warehouse."""
    pipelines: EnvironmentPipelinesConfig = Field(default_factory=EnvironmentPipelinesConfig)
    """Pipeline behaviour, e.g. development mode (docs/pipelines.md). Default: production mode."""

    online_stores: dict[Slug, OnlineStoreConfig] = Field(default_factory=dict)
    """Key -> online store (Lakebase instance + database catalog, preview; docs/features.md).
    Default: none (no online store, no preview resource)."""

    @model_validator(mode="after")
    def _governance(self) -> "EnvironmentConfig":
        check_environment(self)
        raise_findings(Finding(loc, message) for loc, message in check_environment_observability(self))
        return self

    @model_validator(mode="after")
    def _delivery(self) -> "EnvironmentConfig":
        raise_findings([Finding(path, message) for path, message in delivery_problems(self)])
        return self

    def object_name(self, base: str) -> str:
        """Apply the naming rule to a workspace object name (job, endpoint, folder)."""
        token = self.naming.token or self.name
        sep = self.naming.separator
        if self.naming.style == "prefix":
            return f"{token}{sep}{base}"
        if self.naming.style == "suffix":
            return f"{base}{sep}{token}"
        return base

"""ML project configuration: one YAML file per project in config/projects/.

The same concept as ``stacks.project`` (which composes a project's units), seen from the
config layer.

A project is defined once; its ``environments`` map overrides any field per
environment (like asset-bundle targets). Overrides are deep-merged: mappings
merge key by key, lists and scalars replace.
"""

from __future__ import annotations


from pydantic import Field, ValidationInfo, field_validator, model_validator

from databricks_spec.permissions import ExperimentLevel
from databricks_spec.rules import absolute_path
from platform_config.base import Model, Slug, Tags, UcName
from platform_config.environment import Principals
from platform_config.code import CodeConfig, check_code  # docs/code-delivery.md
from platform_config.jobs import JobsConfig
from platform_config.references import RoleName
from platform_config.governance import (ObjectGrantsConfig, Protection, RoleGrants, SchemaConfig,
                                        VolumeConfig, check_project, privilege_problems)
from platform_config.features import OnlineConfig
from platform_config.rule_adapter import raise_findings
from platform_config.monitoring import MonitorConfig, check_monitor_endpoints
from platform_config.observability import ProjectObservabilityConfig
from platform_config.serving import ServingConfig
from platform_config.pipelines import PipelineConfig  # docs/pipelines.md



class RegisteredModelConfig(Model):
    """The project's Unity Catalog registered model: <catalog>.<schema>.<name>."""

    name: UcName | None = None
    """Model name. Default: '<project>_model' (dashes become underscores)."""
    schema_name: UcName | None = Field(default=None, alias="schema")
    """A key of the project's ``schemas`` (the model then depends on that schema resource), or
    the name of an existing schema in the catalog. Default: 'models', the project schema named
    '<project>_models' (docs/governance.md)."""
    comment: str | None = None
    """Default: the project's description."""
    grants: RoleGrants = Field(default_factory=dict)
    """Role -> privileges on the model (ALL_PRIVILEGES, APPLY_TAG, EXECUTE, MANAGE), e.g.
    readers: [EXECUTE]. Default: none."""
    protection: Protection | None = None
    """Override the environment's protection.prevent_destroy, with a reason. Default: the environment's."""

    @model_validator(mode="after")
    def _privileges(self) -> "RegisteredModelConfig":
        raise_findings(privilege_problems("model", self.grants))
        return self


class ExperimentConfig(Model):
    """The project's MLflow experiment."""

    path: str | None = None
    """Absolute workspace path. Default: /Shared/mlops/<named project>/<project>-experiment,
    where <named project> carries the environment by the naming rule."""
    artifact_location: str | None = None
    """Default: the workspace's default artifact store."""
    permissions: dict[RoleName, ExperimentLevel] = Field(default_factory=dict)
    """Role -> CAN_READ / CAN_EDIT / CAN_MANAGE. Default: none."""

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None:
            for f in absolute_path(value, "path", "/Shared/mlops/churn/churn-experiment"):
                raise ValueError(f"{f.message} (provider docs: mlflow_experiment, 'Argument Reference')")
        return value


class ProjectConfig(Model):
    """One ML project, resolved for one environment."""

    name: Slug
    """Project name; resource addresses derive from it. Required."""
    description: str = ""
    """What the project is for; used in generated comments and descriptions. Default: empty."""
    owner: str
    """Owning team (e-mail or group); goes into the 'owner' tag. Required."""
    cost_center: str | None = None
    """Goes into the 'cost_center' tag. Default: unset."""
    enabled: bool = True
    """Whether the project is deployed to this environment. Default: true."""
    tags: Tags
    """Extra tags for the project's resources. Default: none."""
    roles: dict[Slug, Principals] = Field(default_factory=dict)
    """Project-specific roles, added to (and overriding) the environment's roles. Default: none."""
    model: RegisteredModelConfig = Field(default_factory=RegisteredModelConfig)
    """The Unity Catalog registered model. Default: <project>_model in the models schema."""
    experiment: ExperimentConfig = Field(default_factory=ExperimentConfig)
    """The MLflow experiment. Default: under /Shared/mlops/<named project>."""
    schemas: dict[Slug, SchemaConfig] = Field(default_factory=lambda: {"models": SchemaConfig()})
    """Key -> Unity Catalog schema in the environment's catalog, named '<project>_<key>'
    (docs/governance.md). Default: {models: {}} (holds the registered model)."""
    volumes: dict[Slug, VolumeConfig] = Field(default_factory=dict)
    """Key -> volume in one of the project's schemas. Default: none."""
    grants: ObjectGrantsConfig = Field(default_factory=ObjectGrantsConfig)
    """Grants on tables and functions created by pipelines. Default: none."""
    serving: ServingConfig = Field(default_factory=ServingConfig)
    """Model serving endpoints (docs/serving.md). Default: none."""
    monitors: dict[Slug, MonitorConfig] = Field(default_factory=dict)
    """Lakehouse monitors by name (docs/monitoring.md). Default: none."""
    code: CodeConfig = Field(default_factory=CodeConfig)
    """Where the ML code comes from: git (jobs.git_source), workspace (the code folder deployed
    as workspace files) or volume (built wheels uploaded to a volume) (docs/code-delivery.md).
    Default: source git."""
    jobs: JobsConfig = Field(default_factory=JobsConfig)
    """ML workflow jobs: feature engineering, training, batch inference, retraining
    (docs/jobs.md). Default: none."""
    observability: ProjectObservabilityConfig = Field(default_factory=ProjectObservabilityConfig)
    """Monitoring dashboard and SQL alerts (docs/observability.md). Default: none."""
    pipelines: dict[Slug, PipelineConfig] = Field(default_factory=dict)
    """Lakeflow Declarative Pipelines by key (docs/pipelines.md). Default: none."""
    online: OnlineConfig | None = None
    """Online store and sync schedule of the feature tables marked online (docs/features.md).
    Default: the environment's only store, TRIGGERED."""

    @model_validator(mode="after")
    def _governance(self) -> "ProjectConfig":
        check_project(self)
        return self

    @model_validator(mode="after")
    def _code(self) -> "ProjectConfig":
        check_code(self)  # docs/code-delivery.md
        return self

    @field_validator("monitors")
    @classmethod
    def _monitor_endpoints(cls, value: dict, info: ValidationInfo) -> dict:
        if "serving" in info.data:  # else serving is invalid and already reported
            check_monitor_endpoints(value, info.data["serving"])
        return value


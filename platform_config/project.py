"""ML project configuration: one YAML file per project in config/projects/.

A project is defined once; its ``environments`` map overrides any field per
environment (like asset-bundle targets). Overrides are deep-merged: mappings
merge key by key, lists and scalars replace.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from platform_config.base import Model, Slug, Tags, UcName
from platform_config.environment import Principals
from platform_config.references import RoleName

ExperimentLevel = Literal["CAN_READ", "CAN_EDIT", "CAN_MANAGE"]
ModelPrivilege = Literal["ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"]


class RegisteredModelConfig(Model):
    """The project's Unity Catalog registered model: <catalog>.<schema>.<name>."""

    name: UcName | None = None
    """Model name. Default: '<project>_model' (dashes become underscores)."""
    schema_name: UcName | None = Field(default=None, alias="schema")
    """Schema holding the model. Default: the project's name in snake_case."""
    comment: str | None = None
    """Default: the project's description."""
    grants: dict[RoleName, list[ModelPrivilege]] = Field(default_factory=dict)
    """Role -> privileges on the model, e.g. readers: [EXECUTE]. Default: none."""


class ExperimentConfig(Model):
    """The project's MLflow experiment."""

    path: str | None = None
    """Absolute workspace path. Default: /Shared/mlops/<named project>/<project>-experiment,
    where <named project> carries the environment by the naming rule."""
    artifact_location: str | None = None
    """Default: the workspace's default artifact store."""
    permissions: dict[RoleName, ExperimentLevel] = Field(default_factory=dict)
    """Role -> CAN_READ / CAN_EDIT / CAN_MANAGE. Default: none."""


class ProjectConfig(Model):
    """One ML project, resolved for one environment."""

    name: Slug
    """Project name; resource addresses derive from it. Required."""
    description: str = ""
    owner: str
    """Owning team (e-mail or group); goes into the 'owner' tag. Required."""
    cost_center: str | None = None
    """Goes into the 'cost_center' tag. Default: unset."""
    enabled: bool = True
    """Whether the project is deployed to this environment. Default: true."""
    tags: Tags
    """Extra tags for the project's resources. Default: none."""
    roles: dict[Slug, Principals] = Field(default_factory=dict)
    """Project-specific roles, added to (and overriding) the environment's roles."""
    model: RegisteredModelConfig = Field(default_factory=RegisteredModelConfig)
    experiment: ExperimentConfig = Field(default_factory=ExperimentConfig)


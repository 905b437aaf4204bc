"""Compose one ML project's units for one environment."""

from __future__ import annotations

from constructs import Construct

from mlops_constructs.experiment import MlflowExperimentProps, MlflowExperimentUnit
from mlops_constructs.principal import Principal
from mlops_constructs.registered_model import UcRegisteredModel, UcRegisteredModelProps
from platform_config import Principals, ProjectTarget
from platform_config.base import snake
from platform_config.governance import prevent_destroy, project_schema_name
from stacks.governance import add_data_units, model_schema_ref
from stacks.platform import (catalog_name, deployer_principal, highest_levels, resolve_principals,
                             role_map, union_grants)
from stacks.serving import add_serving_units
from stacks.jobs import add_project_jobs
from stacks.pipelines import add_project_pipelines, feature_job_pipelines


def principals(target: ProjectTarget, role: str, scope: Construct | None = None) -> list[Principal]:
    """The principals a role stands for in the target's environment. A service principal
    named by its config key resolves to its application id; pass ``scope`` (the construct
    using it) so one created in this apply resolves too (docs/governance.md)."""
    members: Principals = target.roles[role]
    return resolve_principals(scope, target.env, members)


def role_grants(target: ProjectTarget, grants: dict[str, list[str]],
                scope: Construct | None = None) -> dict[Principal, frozenset[str]]:
    """Role -> privileges, resolved to principal -> privileges (union when roles share a principal)."""
    return union_grants(role_map(scope, target.env, target.roles, grants))


def role_levels(target: ProjectTarget, levels: dict[str, str], rank: list[str],
                scope: Construct | None = None) -> dict[Principal, str]:
    """Role -> permission level, resolved to principal -> the highest level by ``rank``."""
    return highest_levels(role_map(scope, target.env, target.roles, levels), tuple(rank))


def model_schema(target: ProjectTarget) -> str:
    """The name of the schema holding the project's registered model: the project schema
    ``model.schema`` names (default 'models' -> '<project>_models'), else ``model.schema`` as is."""
    key = target.project.model.schema_name or "models"
    if key in target.project.schemas:
        return project_schema_name(target.project, key)
    return key


def model_name(target: ProjectTarget) -> str:
    return target.project.model.name or f"{snake(target.project.name)}_model"


def experiment_path(target: ProjectTarget) -> str:
    """Default experiment path carries the environment through the naming rule."""
    project = target.project
    return project.experiment.path or (
        f"/Shared/mlops/{target.env.object_name(project.name)}/{project.name}-experiment")


class ProjectUnits(Construct):
    """All units of one project in one environment. Its id is the project's name,
    so every resource address derives from (project, role), never list positions."""

    def __init__(self, scope: Construct, target: ProjectTarget):
        super().__init__(scope, target.project.name)
        project = target.project
        self.data = add_data_units(self, target)  # schemas, volumes, grants (docs/governance.md)
        self.model = UcRegisteredModel(self, "model", UcRegisteredModelProps(
            catalog_name=catalog_name(self, target.env),
            schema_name=model_schema_ref(target, self.data),
            name=model_name(target),
            comment=project.model.comment or project.description or None,
            grants=role_grants(target, project.model.grants, self),
            prevent_destroy=prevent_destroy(target.env.protection, project.model.protection),
            deployer=deployer_principal(target.env),
        ))
        self.experiment = MlflowExperimentUnit(self, "experiment", MlflowExperimentProps(
            path=experiment_path(target),
            artifact_location=project.experiment.artifact_location,
            permissions=role_levels(target, project.experiment.permissions,
                                    ["CAN_READ", "CAN_EDIT", "CAN_MANAGE"], self),
        ))
        # serving endpoints and Lakehouse monitors (docs/serving.md, docs/monitoring.md)
        self.serving = add_serving_units(self, target, self.model.full_name,
                                         model_schema_ref(target, self.data))
        # ML workflow jobs: feature engineering, training, batch inference, retraining (docs/jobs.md)
        # Lakeflow Declarative Pipelines, before the jobs that run them (docs/pipelines.md)
        self.pipelines = add_project_pipelines(self, target, self.data)
        self.jobs = add_project_jobs(self, target, feature_job_pipelines(target, self.pipelines))

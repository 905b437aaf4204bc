"""Compose one ML project's units for one environment."""

from __future__ import annotations

from constructs import Construct

from mlops_constructs.experiment import MlflowExperimentProps, MlflowExperimentUnit
from mlops_constructs.principal import Principal
from mlops_constructs.registered_model import UcRegisteredModel, UcRegisteredModelProps
from platform_config import Principals, ProjectTarget
from platform_config.base import snake


def principals(target: ProjectTarget, role: str) -> list[Principal]:
    """The principals a role stands for in the target's environment."""
    members: Principals = target.roles[role]
    return [Principal(name=name, kind=kind) for kind, name in members.all()]


def role_grants(target: ProjectTarget, grants: dict[str, list[str]]) -> dict[Principal, frozenset[str]]:
    """Role -> privileges, resolved to principal -> privileges (union when roles share a principal)."""
    out: dict[Principal, set[str]] = {}
    for role, privileges in grants.items():
        for principal in principals(target, role):
            out.setdefault(principal, set()).update(privileges)
    return {p: frozenset(v) for p, v in out.items()}


def role_levels(target: ProjectTarget, levels: dict[str, str], rank: list[str]) -> dict[Principal, str]:
    """Role -> permission level, resolved to principal -> the highest level by ``rank``."""
    out: dict[Principal, str] = {}
    for role, level in levels.items():
        for principal in principals(target, role):
            current = out.get(principal)
            if current is None or rank.index(level) > rank.index(current):
                out[principal] = level
    return out


def model_schema(target: ProjectTarget) -> str:
    """The schema holding the project's registered model."""
    return target.project.model.schema_name or snake(target.project.name)


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
        self.model = UcRegisteredModel(self, "model", UcRegisteredModelProps(
            catalog_name=target.env.catalog.name,
            schema_name=model_schema(target),
            name=model_name(target),
            comment=project.model.comment or project.description or None,
            grants=role_grants(target, project.model.grants),
        ))
        self.experiment = MlflowExperimentUnit(self, "experiment", MlflowExperimentProps(
            path=experiment_path(target),
            artifact_location=project.experiment.artifact_location,
            permissions=role_levels(target, project.experiment.permissions,
                                    ["CAN_READ", "CAN_EDIT", "CAN_MANAGE"]),
        ))

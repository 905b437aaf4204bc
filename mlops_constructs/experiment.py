"""MlflowExperimentUnit: an MLflow experiment at a workspace path, with permissions."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import MlflowExperiment

from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from databricks_spec.permissions import WORKSPACE_OBJECTS, ExperimentLevel
from databricks_spec.rules import absolute_path
from mlops_constructs.rule_adapter import known, refuse
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class MlflowExperimentProps:
    path: str
    """Absolute workspace path, e.g. /Shared/mlops/dev-churn/churn-experiment."""
    artifact_location: str | None = None
    """Default: the workspace's default artifact store."""
    permissions: dict[Principal, ExperimentLevel] = field(default_factory=dict)
    """Principal -> CAN_READ / CAN_EDIT / CAN_MANAGE. Default: none (no permissions resource)."""


class MlflowExperimentUnit(FlatUnit):
    """databricks_mlflow_experiment + databricks_permissions on it."""

    def __init__(self, scope: Scope, id: str, props: MlflowExperimentProps):
        super().__init__(scope, id)
        if known(props.path):
            refuse(self, absolute_path(props.path, "experiment path", "/Shared/mlops/churn/churn-experiment"))
        self.resource = MlflowExperiment(*self.at("Resource"), name=props.path,
                                         artifact_location=props.artifact_location)
        self.permissions = None
        if props.permissions:
            attribute, levels, _ = WORKSPACE_OBJECTS["experiment"]
            self.permissions = ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute=attribute, object_id=self.resource.id,
                access=props.permissions, valid_levels=frozenset(levels)))

"""MlflowExperimentUnit: the experiment at its path, with permissions by principal."""

from __future__ import annotations

import pytest

from mlops_constructs.experiment import MlflowExperimentProps, MlflowExperimentUnit
from mlops_constructs.principal import Principal

TEAM = Principal("churn-team")
READERS = Principal("analysts")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        MlflowExperimentUnit(stack, "with_permissions", MlflowExperimentProps(
            path="/Shared/mlops/dev-churn/churn-experiment", artifact_location="dbfs:/mlflow/churn",
            permissions={TEAM: "CAN_MANAGE", READERS: "CAN_READ"}))
        MlflowExperimentUnit(stack, "bare", MlflowExperimentProps(path="/Shared/mlops/scratch"))
    return synth_construct(build)


def test_experiments_at_their_paths(doc):
    exps = {v["name"]: v for v in doc["resource"]["databricks_mlflow_experiment"].values()}
    assert set(exps) == {"/Shared/mlops/dev-churn/churn-experiment", "/Shared/mlops/scratch"}
    assert exps["/Shared/mlops/dev-churn/churn-experiment"]["artifact_location"] == "dbfs:/mlflow/churn"
    assert "artifact_location" not in exps["/Shared/mlops/scratch"]


def test_permissions_reference_the_experiment_sorted(doc):
    (perms,) = doc["resource"]["databricks_permissions"].values()  # none for the bare experiment
    assert perms["experiment_id"].startswith("${databricks_mlflow_experiment.") and perms["experiment_id"].endswith(".id}")
    assert perms["access_control"] == [{"group_name": "analysts", "permission_level": "CAN_READ"},
                                       {"group_name": "churn-team", "permission_level": "CAN_MANAGE"}]


@pytest.mark.parametrize("props, message", [
    (dict(path="churn-experiment"), "must be an absolute workspace path"),
    (dict(path="/Shared/x", permissions={TEAM: "CAN_RUN"}), "CAN_RUN; valid: CAN_EDIT, CAN_MANAGE, CAN_READ"),
])
def test_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        MlflowExperimentUnit(stack, "e", MlflowExperimentProps(**props))

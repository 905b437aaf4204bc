"""ModelTrainingJob: Train -> ModelValidation -> ModelDeployment on one shared compute."""

from __future__ import annotations

import json
from dataclasses import replace

import cdktf
import pytest

from mlops_constructs.job import JobClusterSpec, MlJobProps, NotebookCode, PythonWheelCode
from mlops_constructs.training_job import ModelTrainingJob, ModelTrainingJobProps

PROPS = ModelTrainingJobProps(
    job=MlJobProps(name="dev-churn-training-job",
                   job_clusters=(JobClusterSpec(key="train_cluster", spark_version="15.4.x-cpu-ml-scala2.12",
                                                node_type_id="n"),)),
    env_name="dev", model_name="mlops_dev.churn.churn_model", experiment_path="/Shared/mlops/dev-churn/exp",
    train=NotebookCode(path="/Workspace/churn/Train", parameters={"max_depth": "6"}),
    validate=NotebookCode(path="/Workspace/churn/ModelValidation"),
    deploy=PythonWheelCode(package_name="churn", entry_point="deploy"),
    compute_key="train_cluster", training_data="mlops_dev.churn.features", validation_mode="dry_run",
    validation_thresholds={"roc_auc": {"min": 0.75}, "log_loss": {"max": 0.4}}, model_type="classifier",
    targets="churned", validation_data="mlops_dev.churn.holdout",
)


@pytest.fixture(scope="module")
def job(synth_construct):
    doc = synth_construct(lambda stack: ModelTrainingJob(stack, "training_job", PROPS))
    return next(iter(doc["resource"]["databricks_job"].values()))


def test_task_graph_in_sorted_order(job):
    tasks = job["task"]
    assert [t["task_key"] for t in tasks] == ["ModelDeployment", "ModelValidation", "Train"]
    deps = {t["task_key"]: [d["task_key"] for d in t.get("depends_on", [])] for t in tasks}
    assert deps == {"Train": [], "ModelValidation": ["Train"], "ModelDeployment": ["ModelValidation"]}


def test_tasks_share_one_compute(job):
    assert {t["job_cluster_key"] for t in job["task"]} == {"train_cluster"}
    assert [c["job_cluster_key"] for c in job["job_cluster"]] == ["train_cluster"]


def test_parameters(job):
    tasks = {t["task_key"]: t for t in job["task"]}
    train = tasks["Train"]["notebook_task"]["base_parameters"]
    assert train == {"env": "dev", "experiment_name": "/Shared/mlops/dev-churn/exp", "max_depth": "6",
                     "model_name": "mlops_dev.churn.churn_model", "training_data": "mlops_dev.churn.features"}
    val = tasks["ModelValidation"]["notebook_task"]["base_parameters"]
    assert val["run_mode"] == "dry_run"
    assert val["model_version"] == "{{tasks.Train.values.model_version}}"
    assert (val["challenger_alias"], val["champion_alias"]) == ("challenger", "champion")
    assert json.loads(val["validation_thresholds"]) == {"log_loss": {"max": 0.4}, "roc_auc": {"min": 0.75}}
    assert (val["model_type"], val["targets"], val["validation_input"], val["enable_baseline_comparison"]) == (
        "classifier", "churned", "mlops_dev.churn.holdout", "true")
    deploy = tasks["ModelDeployment"]["python_wheel_task"]["named_parameters"]
    assert deploy == {"challenger_alias": "challenger", "champion_alias": "champion", "env": "dev",
                      "experiment_name": "/Shared/mlops/dev-churn/exp", "model_name": "mlops_dev.churn.churn_model",
                      "model_version": "{{tasks.Train.values.model_version}}"}


@pytest.mark.parametrize("change,message", [
    (dict(model_name="churn_model"), "catalog.schema.model"),
    (dict(champion_alias="challenger"), "aliases must differ"),
    (dict(train=NotebookCode(path="/n", parameters={"model_name": "x"})), "set by the platform"),
])
def test_invalid_props(change, message):
    with pytest.raises(ValueError, match=message):
        ModelTrainingJob(cdktf.TerraformStack(cdktf.Testing.app(), "s"), "t", replace(PROPS, **change))

"""RetrainingJob: drift task value -> condition task -> run-job task on the training job."""

from __future__ import annotations

from dataclasses import replace

import cdktf
import pytest

from mlops_constructs.job import JobClusterSpec, MlJobProps, NotebookCode, ScheduleSpec
from mlops_constructs.retraining_job import RetrainingJob, RetrainingJobProps, format_threshold
from mlops_constructs.training_job import ModelTrainingJob, ModelTrainingJobProps


def build(stack):
    training = ModelTrainingJob(stack, "training_job", ModelTrainingJobProps(
        job=MlJobProps(name="training"), env_name="dev", model_name="c.s.m", experiment_path="/e",
        train=NotebookCode(path="/t"), validate=NotebookCode(path="/v"), deploy=NotebookCode(path="/d")))
    RetrainingJob(stack, "retraining_job", RetrainingJobProps(
        job=MlJobProps(name="retraining", schedule=ScheduleSpec(cron="0 30 7 * * ?"),
                       job_clusters=(JobClusterSpec(key="small", spark_version="v", node_type_id="n"),)),
        env_name="dev", model_name="c.s.m", drift_metrics_table="c.mon.predictions_drift_metrics",
        metric_column="js_distance", threshold=0.25, comparison="GREATER_THAN_OR_EQUAL",
        training_job_id=training.job_id, code=NotebookCode(path="/drift"), compute_key="small"))


@pytest.fixture(scope="module")
def jobs(synth_construct):
    doc = synth_construct(build)
    return {j["name"]: (k, j) for k, j in doc["resource"]["databricks_job"].items()}


def test_task_graph(jobs):
    _, job = jobs["retraining"]
    tasks = {t["task_key"]: t for t in job["task"]}
    assert list(tasks) == ["CheckDriftThreshold", "ComputeDriftMetric", "RetrainModel"]
    assert tasks["CheckDriftThreshold"]["depends_on"] == [{"task_key": "ComputeDriftMetric"}]
    assert tasks["RetrainModel"]["depends_on"] == [{"task_key": "CheckDriftThreshold", "outcome": "true"}]


def test_drift_parameters_and_condition(jobs):
    _, job = jobs["retraining"]
    tasks = {t["task_key"]: t for t in job["task"]}
    assert tasks["ComputeDriftMetric"]["job_cluster_key"] == "small"
    assert tasks["ComputeDriftMetric"]["notebook_task"]["base_parameters"] == {
        "drift_comparison": "GREATER_THAN_OR_EQUAL", "drift_metric_column": "js_distance",
        "drift_metrics_table": "c.mon.predictions_drift_metrics", "drift_threshold": "0.25", "env": "dev",
        "model_name": "c.s.m", "task_value_key": "drift_metric"}
    assert tasks["CheckDriftThreshold"]["condition_task"] == {
        "left": "{{tasks.ComputeDriftMetric.values.drift_metric}}", "op": "GREATER_THAN_OR_EQUAL", "right": "0.25"}
    assert "job_cluster_key" not in tasks["CheckDriftThreshold"]


def test_runs_the_training_job_by_reference(jobs):
    training_key, _ = jobs["training"]
    _, job = jobs["retraining"]
    run = next(t for t in job["task"] if t["task_key"] == "RetrainModel")
    assert run["run_job_task"] == {"job_id": f"${{databricks_job.{training_key}.id}}"}


@pytest.mark.parametrize("value,text", [(0.2, "0.2"), (1e-05, "0.00001"), (3, "3"), (0.0, "0"), (-0.5, "-0.5")])
def test_threshold_is_a_plain_decimal(value, text):
    assert format_threshold(value) == text


def test_invalid_props():
    props = RetrainingJobProps(job=MlJobProps(name="r"), env_name="dev", model_name="c.s.m",
                               drift_metrics_table="c.s.t", metric_column="m", threshold=1, training_job_id="1",
                               code=NotebookCode(path="/n"))
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "s")
    with pytest.raises(ValueError, match="comparison must be"):
        RetrainingJob(stack, "a", replace(props, comparison="EQUAL_TO"))
    with pytest.raises(ValueError, match="catalog.schema.table"):
        RetrainingJob(stack, "b", replace(props, drift_metrics_table="t_drift_metrics"))

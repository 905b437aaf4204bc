"""BatchInferenceJob: scores an input table with the champion, writes the predictions table."""

from __future__ import annotations

from dataclasses import replace

import cdktf
import pytest

from mlops_constructs.batch_inference_job import BatchInferenceJob, BatchInferenceJobProps
from mlops_constructs.job import MlJobProps, PythonScriptCode, ServerlessEnvSpec

PROPS = BatchInferenceJobProps(
    job=MlJobProps(name="prod-churn-batch-inference-job",
                   environments=(ServerlessEnvSpec(key="srv", dependencies=("churn==1.0",)),)),
    env_name="prod", model_name="mlops_prod.churn.churn_model", input_table="mlops_prod.churn.features",
    output_table="mlops_prod.churn_inference.predictions",
    code=PythonScriptCode(path="/Workspace/churn/score.py", parameters={"batch_size": "1000"}),
    compute_key="srv",
)


@pytest.fixture(scope="module")
def job(synth_construct):
    doc = synth_construct(lambda stack: BatchInferenceJob(stack, "batch_inference_job", PROPS))
    return next(iter(doc["resource"]["databricks_job"].values()))


def test_scores_with_champion_into_predictions_table(job):
    (task,) = job["task"]
    assert task["task_key"] == "BatchInference"
    assert task["environment_key"] == "srv"
    assert task["spark_python_task"]["parameters"] == [
        "--batch_size=1000", "--env=prod", "--input_table_name=mlops_prod.churn.features",
        "--model_alias=champion", "--model_name=mlops_prod.churn.churn_model",
        "--output_table_name=mlops_prod.churn_inference.predictions"]
    assert job["environment"][0]["spec"]["dependencies"] == ["churn==1.0"]


@pytest.mark.parametrize("change,message", [
    (dict(output_table="predictions"), "output_table must be a full three-part name"),
    (dict(output_table="mlops_prod.churn.features"), "input and output table are the same"),
])
def test_invalid_props(change, message):
    with pytest.raises(ValueError, match=message):
        BatchInferenceJob(cdktf.TerraformStack(cdktf.Testing.app(), "s"), "b", replace(PROPS, **change))

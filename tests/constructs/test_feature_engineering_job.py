"""FeatureEngineeringJob: one task per feature table, table names as parameters, triggers."""

from __future__ import annotations

from dataclasses import replace

import cdktf
import pytest

from mlops_constructs.feature_engineering_job import (FeatureEngineeringJob, FeatureEngineeringJobProps,
                                                      FeatureTableSpec)
from mlops_constructs.job import MlJobProps, NotebookCode, TriggerSpec

CODE = NotebookCode(path="/Workspace/churn/GenerateFeatures")
PROPS = FeatureEngineeringJobProps(
    job=MlJobProps(name="dev-churn-feature-engineering-job",
                   trigger=TriggerSpec(table_update=("c.raw.usage", "c.raw.crm"), table_condition="ALL_UPDATED",
                                       paused=True)),
    env_name="dev",
    tables=(  # unsorted on purpose
        FeatureTableSpec(key="usage_features", full_name="c.f.usage_features", code=CODE),
        FeatureTableSpec(key="customer_features", full_name="c.f.customer_features",
                         code=replace(CODE, parameters={"module": "customer"}), input_table="c.raw.crm",
                         primary_keys=("customer_id", "region"), timestamp_column="ts"),
    ),
)


@pytest.fixture(scope="module")
def job(synth_construct):
    doc = synth_construct(lambda stack: FeatureEngineeringJob(stack, "feature_engineering_job", PROPS))
    return next(iter(doc["resource"]["databricks_job"].values()))


def test_one_task_per_table_sorted(job):
    assert [t["task_key"] for t in job["task"]] == ["customer_features", "usage_features"]
    assert all("depends_on" not in t for t in job["task"])


def test_table_parameters(job):
    customer, usage = (t["notebook_task"]["base_parameters"] for t in job["task"])
    assert customer == {"env": "dev", "input_table_name": "c.raw.crm", "module": "customer",
                        "output_table_name": "c.f.customer_features", "primary_keys": "customer_id,region",
                        "timestamp_column": "ts"}
    assert usage == {"env": "dev", "output_table_name": "c.f.usage_features"}


def test_table_update_trigger(job):
    assert job["trigger"] == {"pause_status": "PAUSED", "table_update": {
        "table_names": ["c.raw.crm", "c.raw.usage"], "condition": "ALL_UPDATED"}}


def test_invalid_props():
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "s")
    with pytest.raises(ValueError, match="at least one feature table"):
        FeatureEngineeringJob(stack, "a", replace(PROPS, tables=()))
    with pytest.raises(ValueError, match="same feature table"):
        FeatureEngineeringJob(stack, "b", replace(PROPS, tables=(PROPS.tables[0], replace(PROPS.tables[0], key="x"))))

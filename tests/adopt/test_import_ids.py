"""Import id formats per resource type (databricks_spec.import_ids): each type's documented
format is accepted, ids of another type's format are refused with the expected shape."""

from __future__ import annotations

import pytest

from databricks_spec.import_ids import IMPORT_IDS, IMPORTABLE_TYPES, id_attributes, import_id_problem

VALID = {
    "databricks_catalog": ["mlops_dev", "Sales-EU"],
    "databricks_schema": ["mlops_dev.churn_features"],
    "databricks_volume": ["mlops_dev.churn_features.raw_extracts"],
    "databricks_registered_model": ["mlops_dev.churn_models.churn_model"],
    "databricks_job": ["1", "123456789012345"],
    "databricks_mlflow_experiment": ["0", "3141592653589793"],
    "databricks_model_serving": ["dev-churn", "churn_v2"],
    "databricks_sql_endpoint": ["d1184b8c2a8a87eb"],  # pragma: allowlist secret (a documented example id)
    "databricks_cluster_policy": ["D96308F1BF0003A7"],  # pragma: allowlist secret (a documented example id)
}

INVALID = {
    "databricks_catalog": ["mlops_dev.churn", "has space", ""],
    "databricks_schema": ["churn_features", "a.b.c", "a..b", "mlops_dev/churn"],
    "databricks_volume": ["mlops_dev.churn_features", "a.b.c.d"],
    "databricks_registered_model": ["churn_model", "a.b"],
    "databricks_job": ["dev-churn-training-job", "12a", "-5", "0", "1" * 20],
    "databricks_mlflow_experiment": ["/Shared/mlops/dev-churn/churn-experiment", "abc"],
    "databricks_model_serving": ["dev churn", "a.b", "-lead", "x" * 64],
    "databricks_sql_endpoint": ["default-warehouse", "D1184B8C2A8A87EB", "d1184b8c"],  # pragma: allowlist secret (a documented example id)
    "databricks_cluster_policy": ["ml-jobs", "D96308F1BF0003A"],  # pragma: allowlist secret (a documented example id)
}


def test_every_adopted_type_is_covered():
    assert set(IMPORTABLE_TYPES) == set(VALID) == set(INVALID)
    assert all(spec.page and spec.example for spec in IMPORT_IDS.values())


@pytest.mark.parametrize("rtype,value", [(t, v) for t, vs in VALID.items() for v in vs])
def test_documented_formats_are_accepted(rtype, value):
    assert import_id_problem(rtype, value) == []


@pytest.mark.parametrize("rtype", sorted(IMPORT_IDS))
def test_each_example_is_valid(rtype):
    assert import_id_problem(rtype, IMPORT_IDS[rtype].example) == []


@pytest.mark.parametrize("rtype,value", [(t, v) for t, vs in INVALID.items() for v in vs])
def test_other_formats_are_refused_with_the_expected_shape(rtype, value):
    (finding,) = import_id_problem(rtype, value)
    assert finding.doc == f"provider docs: {IMPORT_IDS[rtype].page}, 'Import'"
    if value:
        assert IMPORT_IDS[rtype].shape in finding.message and "'Import'" in finding.message


def test_an_id_is_checked_before_a_pattern_sees_a_huge_value():
    (finding,) = import_id_problem("databricks_job", "1" * 100_000)
    assert "too long" in finding.message


def test_a_type_that_is_not_adopted_is_named():
    (finding,) = import_id_problem("databricks_grants", "catalog/mlops_dev")
    assert "not a type mlops import adopts" in finding.message and "schema" in finding.message
    assert finding.doc == "docs/adopting.md"


def test_id_attributes_split_dotted_ids_only():
    assert id_attributes("databricks_schema", "c.s") == {"catalog_name": "c", "name": "s"}
    assert id_attributes("databricks_volume", "c.s.v") == {"catalog_name": "c", "schema_name": "s", "name": "v"}
    assert id_attributes("databricks_model_serving", "dev-churn") == {"name": "dev-churn"}
    assert id_attributes("databricks_job", "123") == {}
    assert id_attributes("databricks_schema", "not-dotted") == {}

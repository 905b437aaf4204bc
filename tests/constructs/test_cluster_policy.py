"""ClusterPolicy: created with sorted JSON and CAN_USE permissions, or looked up by name."""

from __future__ import annotations

import json

import cdktf
import pytest

from mlops_constructs.cluster_policy import ClusterPolicy, ClusterPolicyProps
from mlops_constructs.principal import Principal


def build(stack):
    ClusterPolicy(stack, "created", ClusterPolicyProps(
        name="dev-ml-jobs", description="d", max_clusters_per_user=2,
        definition={"spark_version": {"type": "fixed", "value": "15.4"}, "autoscale.max_workers": {"type": "range",
                                                                                                     "maxValue": 4}},
        permissions={Principal("ml-engineers"): "CAN_USE", Principal("9e3f", "service_principal_name"): "CAN_USE"}))
    ClusterPolicy(stack, "family", ClusterPolicyProps(name="dev-jobs-family", policy_family_id="job-cluster",
                                                      policy_family_definition_overrides={"b": 1, "a": 2}))
    ClusterPolicy.from_name(stack, "lookup", "dev-ml-jobs")


@pytest.fixture(scope="module")
def doc(synth_construct):
    return synth_construct(build)


def test_created_policy(doc):
    policies = {p["name"]: p for p in doc["resource"]["databricks_cluster_policy"].values()}
    created = policies["dev-ml-jobs"]
    assert created["definition"] == json.dumps(
        {"autoscale.max_workers": {"maxValue": 4, "type": "range"}, "spark_version": {"type": "fixed", "value": "15.4"}})
    assert created["max_clusters_per_user"] == 2
    assert policies["dev-jobs-family"]["policy_family_definition_overrides"] == '{"a": 2, "b": 1}'
    (perm,) = doc["resource"]["databricks_permissions"].values()
    assert perm["access_control"] == [
        {"service_principal_name": "9e3f", "permission_level": "CAN_USE"},
        {"group_name": "ml-engineers", "permission_level": "CAN_USE"}]
    assert perm["cluster_policy_id"].startswith("${databricks_cluster_policy.created_")


def test_lookup(doc):
    (data,) = doc["data"]["databricks_cluster_policy"].values()
    assert data["name"] == "dev-ml-jobs"


@pytest.mark.parametrize("props,message", [
    (ClusterPolicyProps(name="p"), "exactly one of definition or policy_family_id"),
    (ClusterPolicyProps(name="p", definition={}, policy_family_id="x"), "exactly one of definition"),
    (ClusterPolicyProps(name="p", definition={}, policy_family_definition_overrides={}), "needs policy_family_id"),
    (ClusterPolicyProps(name="x" * 101, definition={}), "1-100 characters"),
    (ClusterPolicyProps(name="p", definition={}, permissions={Principal("g"): "CAN_MANAGE"}), "invalid permission"),
])
def test_invalid_props(props, message):
    with pytest.raises(ValueError, match=message):
        ClusterPolicy(cdktf.TerraformStack(cdktf.Testing.app(), "s"), "p", props)


def test_a_looked_up_policy_has_one_spelling_and_the_same_name_rule():
    import dataclasses

    assert "lookup" not in {f.name for f in dataclasses.fields(ClusterPolicyProps)}
    with pytest.raises(ValueError, match="1-100 characters"):
        ClusterPolicy.from_name(cdktf.TerraformStack(cdktf.Testing.app(), "s"), "p", "x" * 101)

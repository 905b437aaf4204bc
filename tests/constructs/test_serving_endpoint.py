"""ServingEndpoint construct: served entities, traffic, AI gateway, permissions, pending
(safe first deploy) and the defence-in-depth checks. One synth for the module."""

from __future__ import annotations

import pytest

from mlops_constructs.principal import Principal
from mlops_constructs.serving_endpoint import (InferenceTableSpec, RateLimitSpec, ServedEntitySpec, ServingEndpoint,
                                               ServingEndpointProps)

MODEL = "mlops_dev.churn_models.churn_model"
TABLE = InferenceTableSpec(catalog_name="mlops_dev", schema_name="churn_inference", table_name_prefix="churn")


def props(**overrides) -> ServingEndpointProps:
    base = dict(
        name="dev-churn",
        served_entities=(
            ServedEntitySpec(name="challenger", entity_name=MODEL, entity_version="4", workload_size="Small",
                         scale_to_zero=True),
            ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="3", workload_size="Medium",
                         workload_type="GPU_SMALL",
                         environment_vars={"CRM_TOKEN": "{{secrets/mlops/crm_token}}"}),
        ),
        traffic={"champion": 90, "challenger": 10},
        inference_table=TABLE,
        usage_tracking=True,
        rate_limits=(RateLimitSpec(calls=100, key="user"), RateLimitSpec(calls=1000),
                     RateLimitSpec(calls=500, key="user_group", principal="analysts")),
        description="Churn scores",
        tags={"project": "churn", "environment": "dev"},
        notify_on_update_failure=("ops@example.com", "churn@example.com"),
        route_optimized=True,
        permissions={Principal("analysts"): "CAN_QUERY", Principal("churn-team"): "CAN_MANAGE",
                     Principal("ml-engineers"): "CAN_VIEW"},
    )
    base.update(overrides)
    return ServingEndpointProps(**base)


BUILT: dict[str, ServingEndpoint] = {}


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        BUILT["live"] = ServingEndpoint(stack, "live", props())
        BUILT["pending"] = ServingEndpoint(stack, "pending", props(
            name="new-churn", traffic={"champion": 100, "challenger": 0},
            served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL),
                             ServedEntitySpec(name="challenger", entity_name=MODEL))))
        BUILT["provisioned"] = ServingEndpoint(stack, "provisioned", props(
            name="prov", traffic={}, inference_table=None, usage_tracking=False, rate_limits=(),
            permissions={}, route_optimized=False, notify_on_update_failure=(), tags={},
            served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="1",
                                          min_provisioned_concurrency=0, max_provisioned_concurrency=8),)))
        BUILT["job_owned"] = ServingEndpoint(stack, "job_owned", props(
            name="owned", traffic={}, ignore_config_changes=True,
            inference_table=InferenceTableSpec(catalog_name="c", schema_name="s", table_name_prefix="p",
                                           enabled=False),
            served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="2",
                                          min_provisioned_throughput=0, max_provisioned_throughput=100),)))
    return synth_construct(build)


def endpoint(doc, name):
    return next(r for r in doc["resource"]["databricks_model_serving"].values() if r["name"] == name)


def test_served_entities_sorted_with_sizes(doc):
    entities = endpoint(doc, "dev-churn")["config"]["served_entities"]
    assert [e["name"] for e in entities] == ["challenger", "champion"]
    champion = entities[1]
    assert champion == {"name": "champion", "entity_name": MODEL, "entity_version": "3",
                        "workload_size": "Medium", "workload_type": "GPU_SMALL",
                        "scale_to_zero_enabled": False,
                        "environment_vars": {"CRM_TOKEN": "{{secrets/mlops/crm_token}}"}}
    assert entities[0]["scale_to_zero_enabled"] is True


def test_traffic_routes(doc):
    routes = endpoint(doc, "dev-churn")["config"]["traffic_config"]["routes"]
    assert routes == [{"served_entity_name": "challenger", "traffic_percentage": 10},
                      {"served_entity_name": "champion", "traffic_percentage": 90}]
    # a single entity gets all traffic by default
    assert endpoint(doc, "prov")["config"]["traffic_config"]["routes"] == [
        {"served_entity_name": "champion", "traffic_percentage": 100}]


def test_ai_gateway(doc):
    gateway = endpoint(doc, "dev-churn")["ai_gateway"]
    assert gateway["inference_table_config"] == {"enabled": True, "catalog_name": "mlops_dev",
                                                 "schema_name": "churn_inference", "table_name_prefix": "churn"}
    assert gateway["usage_tracking_config"] == {"enabled": True}
    assert gateway["rate_limits"] == [
        {"calls": 1000, "key": "endpoint", "renewal_period": "minute"},
        {"calls": 100, "key": "user", "renewal_period": "minute"},
        {"calls": 500, "key": "user_group", "principal": "analysts", "renewal_period": "minute"},
    ]


def test_endpoint_attributes(doc):
    live = endpoint(doc, "dev-churn")
    assert live["description"] == "Churn scores"
    assert live["route_optimized"] is True
    assert live["tags"] == [{"key": "environment", "value": "dev"}, {"key": "project", "value": "churn"}]
    assert live["email_notifications"] == {"on_update_failure": ["churn@example.com", "ops@example.com"]}
    prov = endpoint(doc, "prov")
    assert "ai_gateway" not in prov and "tags" not in prov and "route_optimized" not in prov


def test_permissions_use_serving_endpoint_id(doc):
    perms = [p for p in doc["resource"]["databricks_permissions"].values()
             if "live" in p["serving_endpoint_id"]]
    assert len(perms) == 1
    assert perms[0]["serving_endpoint_id"].endswith(".serving_endpoint_id}")
    assert perms[0]["access_control"] == [
        {"group_name": "analysts", "permission_level": "CAN_QUERY"},
        {"group_name": "churn-team", "permission_level": "CAN_MANAGE"},
        {"group_name": "ml-engineers", "permission_level": "CAN_VIEW"},
    ]


def test_provisioned_capacity_without_workload_size(doc):
    entity = endpoint(doc, "prov")["config"]["served_entities"][0]
    assert "workload_size" not in entity
    assert (entity["min_provisioned_concurrency"], entity["max_provisioned_concurrency"]) == (0, 8)
    entity = endpoint(doc, "owned")["config"]["served_entities"][0]
    assert "workload_size" not in entity and "min_provisioned_concurrency" not in entity
    assert (entity["min_provisioned_throughput"], entity["max_provisioned_throughput"]) == (0, 100)


def test_pending_endpoint_has_no_config(doc):
    pending = endpoint(doc, "new-churn")
    assert "config" not in pending and "ai_gateway" not in pending
    assert pending["tags"] and pending["email_notifications"]  # the endpoint itself exists
    assert BUILT["pending"].pending and not BUILT["live"].pending
    notes = [m.data for m in BUILT["pending"].resource.node.metadata if "info" in m.type]
    assert any("pending" in str(n) and "no model version" in str(n) for n in notes)
    # permissions exist from the start: consumers are granted before the first version
    assert any("pending" in p["serving_endpoint_id"] for p in doc["resource"]["databricks_permissions"].values())


def test_config_owned_by_deployment_job(doc):
    owned = endpoint(doc, "owned")
    assert owned["lifecycle"] == {"ignore_changes": ["config"]}
    assert owned["ai_gateway"]["inference_table_config"] == {"enabled": False}


# ----------------------------------------------------------------- defence in depth

@pytest.mark.parametrize("overrides, message", [
    (dict(traffic={"champion": 80, "challenger": 10}), "traffic percentages must sum to 100, got 90"),
    (dict(traffic={"champion": 90, "challenjer": 10}), "no entity named 'challenjer' (entities: challenger, champion)"),
    (dict(traffic={}), "several entities (challenger, champion) need a traffic split"),
    (dict(served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="1",
                                        workload_size="Small", max_provisioned_concurrency=8),),
          traffic={}), "workload_size and max_provisioned_concurrency are mutually exclusive"),
    (dict(served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="1",
                                        max_provisioned_concurrency=8, max_provisioned_throughput=100),),
          traffic={}), "provisioned concurrency and provisioned throughput are mutually exclusive"),
    (dict(served_entities=(ServedEntitySpec(name="champion", entity_name=MODEL, entity_version="1",
                                        environment_vars={"KEY": "plain"}),), traffic={}),
     "environment variables may only reference secrets"),
    (dict(served_entities=(ServedEntitySpec(name="a", entity_name=MODEL, entity_version="1"),
                           ServedEntitySpec(name="b", entity_name=MODEL)), traffic={"a": 50, "b": 50}),
     "only a whole endpoint can be pending"),
    (dict(served_entities=(ServedEntitySpec(name="a", entity_name="churn_model", entity_version="1"),),
          traffic={}), "entity_name must be catalog.schema.model"),
    (dict(rate_limits=(RateLimitSpec(calls=5, key="endpoint", principal="x"),)), "takes no principal"),
    (dict(rate_limits=(RateLimitSpec(calls=5, key="tenant"),)), "rate limit key 'tenant'"),
    (dict(rate_limits=(RateLimitSpec(calls=5), RateLimitSpec(calls=6))), "duplicate rate limit"),
    (dict(permissions={Principal("analysts"): "CAN_USE"}), "invalid permission level(s) CAN_USE"),
    (dict(name="churn endpoint"), "may only contain letters, digits"),
])
def test_invalid_props_rejected(synth_construct, overrides, message):
    with pytest.raises(ValueError) as info:
        synth_construct(lambda stack: ServingEndpoint(stack, "bad", props(**overrides)))
    assert message in str(info.value)

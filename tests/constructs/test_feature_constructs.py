"""OnlineStore, SyncedTable, FeatureTable and the feature-spec/held-back serving hooks:
synthesized JSON and the construct-side checks (the same databricks_spec rules config uses)."""

from __future__ import annotations

import pytest

from mlops_constructs.feature_table import FeatureTable, FeatureTableProps
from mlops_constructs.online_store import OnlineStore, OnlineStoreProps
from mlops_constructs.principal import Principal
from mlops_constructs.serving_endpoint import ServedEntitySpec, ServingEndpoint, ServingEndpointProps
from mlops_constructs.synced_table import SyncedTable, SyncedTableProps
from mlops_engine import TerraformVariable

READERS = Principal("analysts")
SP = Principal("4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90", "service_principal_name")


def _body(doc: dict, rtype: str) -> dict:
    (body,) = doc["resource"][rtype].values()
    return {k: v for k, v in body.items() if k != "//"}


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        store = OnlineStore(stack, "store", OnlineStoreProps(
            instance_name="dev-features-online", catalog_name="mlops_dev_features_online",
            database_name="features", stopped=True, permissions={READERS: "CAN_USE"}))
        table = FeatureTable(stack, "table", FeatureTableProps(
            full_name="main.features.customers", grants={READERS: frozenset({"SELECT"})}))
        SyncedTable(stack, "synced", SyncedTableProps(
            name=f"{store.catalog_name}.features.customers", source_table=table.full_name,
            primary_keys=("customer_id",), storage_catalog="main", storage_schema="features",
            scheduling_policy="SNAPSHOT", readers={SP: frozenset({"SELECT"})}))
    return synth_construct(build)


def test_online_store_defaults_and_stop(doc) -> None:
    assert _body(doc, "databricks_database_instance") == {
        "name": "dev-features-online", "capacity": "CU_1", "node_count": 1, "retention_window_in_days": 7,
        "stopped": True}
    catalog = _body(doc, "databricks_database_database_catalog")
    assert catalog["database_instance_name"].startswith("${databricks_database_instance.")
    assert "lifecycle" not in catalog
    perms = _body(doc, "databricks_permissions")
    assert perms["access_control"] == [{"group_name": "analysts", "permission_level": "CAN_USE"}]


def test_synced_table_and_its_reader(doc) -> None:
    synced = _body(doc, "databricks_database_synced_database_table")
    assert synced["name"].startswith("${databricks_database_database_catalog.")
    assert "timeseries_key" not in synced["spec"] and synced["spec"]["scheduling_policy"] == "SNAPSHOT"
    readers = [b for k, b in doc["resource"]["databricks_grant"].items() if k.startswith("synced_Readers")]
    assert [(r["principal"], r["privileges"]) for r in readers] == [(SP.name, ["SELECT"])]


def test_feature_table_grants_are_table_grants(doc) -> None:
    grants = _body(doc, "databricks_grants")
    assert grants == {"table": "main.features.customers",
                      "grant": [{"principal": "analysts", "privileges": ["SELECT"]}]}


@pytest.mark.parametrize("props,fragment", [
    (dict(capacity="CU_3"), "capacity 'CU_3' is not a documented value"),
    (dict(retention_window_days=1), "retention window 1 days"),
    (dict(readable_secondaries=True), "node_count >= 2"),
    (dict(permissions={READERS: "CAN_QUERY"}), "invalid permission level(s) CAN_QUERY"),
    (dict(instance_name="Bad_Name"), "database instance name 'Bad_Name'"),
])
def test_online_store_refuses_what_the_docs_refuse(synth_construct, props, fragment) -> None:
    base = dict(instance_name="s", catalog_name="c", database_name="d")
    with pytest.raises(ValueError) as info:
        synth_construct(lambda stack: OnlineStore(stack, "store", OnlineStoreProps(**{**base, **props})))
    assert fragment in str(info.value) and "test/store" in str(info.value)


def test_online_store_skips_unresolved_tokens(synth_construct) -> None:
    def build(stack):
        capacity = TerraformVariable(stack, "capacity", type="string").string_value
        OnlineStore(stack, "store", OnlineStoreProps(instance_name="s", catalog_name="c", database_name="d",
                                                     capacity=capacity))
    doc = synth_construct(build)
    assert _body(doc, "databricks_database_instance")["capacity"] == "${var.capacity}"


@pytest.mark.parametrize("props,fragment", [
    (dict(primary_keys=()), "needs primary keys"),
    (dict(scheduling_policy="HOURLY"), "scheduling policy 'HOURLY'"),
    (dict(source_table="features.customers"), "must be catalog.schema.table"),
])
def test_synced_table_refuses(synth_construct, props, fragment) -> None:
    base = dict(name="c.s.t", source_table="m.s.t", primary_keys=("id",), storage_catalog="m", storage_schema="s")
    with pytest.raises(ValueError) as info:
        synth_construct(lambda stack: SyncedTable(stack, "synced", SyncedTableProps(**{**base, **props})))
    assert fragment in str(info.value)


def test_feature_table_refuses_schema_privileges(synth_construct) -> None:
    with pytest.raises(ValueError, match="USE_SCHEMA not valid on a table"):
        synth_construct(lambda stack: FeatureTable(stack, "t", FeatureTableProps(
            full_name="m.s.t", grants={READERS: frozenset({"USE_SCHEMA"})})))


def test_feature_spec_entity_serves_without_version_and_is_checked(synth_construct) -> None:
    def build(stack):
        ServingEndpoint(stack, "spec", ServingEndpointProps(name="lookup", served_entities=(
            ServedEntitySpec(name="spec", entity_name="m.s.customer_spec", feature_spec=True),)))
        ServingEndpoint(stack, "held", ServingEndpointProps(name="held", held_back="synced tables missing",
                                                            served_entities=(ServedEntitySpec(
                                                                name="m", entity_name="m.s.model",
                                                                entity_version="3"),)))
    doc = synth_construct(build)
    endpoints = {b["name"]: b for b in doc["resource"]["databricks_model_serving"].values()}
    assert endpoints["lookup"]["config"]["served_entities"][0]["entity_name"] == "m.s.customer_spec"
    assert "entity_version" not in endpoints["lookup"]["config"]["served_entities"][0]
    assert "config" not in endpoints["held"]
    with pytest.raises(ValueError, match="must be a full three-part name"):
        synth_construct(lambda stack: ServingEndpoint(stack, "bad", ServingEndpointProps(
            name="bad", served_entities=(ServedEntitySpec(name="s", entity_name="s.spec", feature_spec=True),))))

"""replacement_rules: the data the plan review and the offline provider use to flag
attribute changes that recreate a resource (pure Python, no jsii)."""

from __future__ import annotations

from databricks_spec.replacement_rules import RULES, forcing_changes, value_at

FORCES_REPLACEMENT = {rtype: tuple(r.attribute for r in rules) for rtype, rules in RULES.items()}

SERVING = "databricks_model_serving"


def gateway(schema: str) -> dict:
    return {"ai_gateway": [{"inference_table_config": [{"catalog_name": "mlops_dev", "schema_name": schema,
                                                        "table_name_prefix": "churn"}]}]}


def test_documented_serving_fields():
    assert set(FORCES_REPLACEMENT[SERVING]) == {
        "name", "route_optimized", "ai_gateway.inference_table_config.catalog_name",
        "ai_gateway.inference_table_config.schema_name", "ai_gateway.inference_table_config.table_name_prefix"}


def test_unity_catalog_fields():
    assert {"name", "catalog_name", "schema_name"} <= set(FORCES_REPLACEMENT["databricks_registered_model"])
    assert {"name", "catalog_name"} <= set(FORCES_REPLACEMENT["databricks_schema"])
    assert {"catalog_name", "schema_name", "volume_type"} <= set(FORCES_REPLACEMENT["databricks_volume"])
    assert "name" in FORCES_REPLACEMENT["databricks_catalog"]
    assert "table_name" in FORCES_REPLACEMENT["databricks_quality_monitor"]
    assert all(rule.source for rules in RULES.values() for rule in rules)
    assert list(RULES) == sorted(RULES)


def test_value_at_descends_lists_and_blocks():
    assert value_at(gateway("s"), "ai_gateway.inference_table_config.schema_name") == ["s"]
    assert value_at({"ai_gateway": {"inference_table_config": {"schema_name": "s"}}},
                    "ai_gateway.inference_table_config.schema_name") == ["s"]
    assert value_at({}, "ai_gateway.inference_table_config.schema_name") == []


def test_forcing_changes():
    base = {"name": "dev-churn", **gateway("churn_inference")}
    assert forcing_changes(SERVING, base, base) == []
    assert [r.attribute for r in forcing_changes(SERVING, base, {**base, "name": "dev-churn-2"})] == ["name"]
    moved = forcing_changes(SERVING, base, {"name": "dev-churn", **gateway("other")})
    assert [(r.attribute, r.effect) for r in moved] == [("ai_gateway.inference_table_config.schema_name",
                                                         "immutable")]
    assert [r.attribute for r in forcing_changes(SERVING, base, {**base, "route_optimized": True})] == \
        ["route_optimized"]


def test_pending_endpoint_going_live_is_an_update():
    """Adding config and the inference table to a pending endpoint does not recreate it."""
    pending = {"name": "dev-churn"}
    live = {"name": "dev-churn", "config": [{"served_entities": [{"name": "champion"}]}],
            **gateway("churn_inference")}
    assert forcing_changes(SERVING, pending, live) == []
    assert forcing_changes(SERVING, live, pending)  # removing the table is flagged (config removal is a no-op)

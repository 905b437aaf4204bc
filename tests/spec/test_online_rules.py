"""databricks_spec.online: the Lakebase rules as pure functions returning findings (no jsii),
and the replacement rules of the new resource types."""

from __future__ import annotations

import pytest

from databricks_spec import online
from databricks_spec.rules import Finding
from databricks_spec.replacement_rules import RULES, forcing_changes


@pytest.mark.parametrize("value", ["CU_1", "CU_2", "CU_4", "CU_8"])
def test_documented_capacities_pass(value: str) -> None:
    assert online.capacity(value) == []


@pytest.mark.parametrize("value", ["CU_3", "cu_1", "CU_16", "", "2"])
def test_other_capacities_are_refused_with_the_list(value: str) -> None:
    (finding,) = online.capacity(value)
    assert isinstance(finding, Finding) and finding.key == ()
    assert "CU_1, CU_2, CU_4, CU_8" in finding.message
    assert finding.doc == "provider docs: database_instance, 'capacity'"


def test_capacity_direction() -> None:
    assert online.capacity_direction("CU_1", "CU_4") == "up"
    assert online.capacity_direction("CU_8", "CU_2") == "down"
    assert online.capacity_direction("CU_2", "CU_2") == "unchanged"
    assert online.capacity_direction(None, "CU_2") == "unchanged"


@pytest.mark.parametrize("days,ok", [(1, False), (2, True), (7, True), (35, True), (36, False)])
def test_retention_window_bounds(days: int, ok: bool) -> None:
    assert (online.retention_window(days) == []) is ok


def test_node_count_and_readable_secondaries() -> None:
    assert online.node_count(1, False) == [] and online.node_count(2, True) == []
    (f,) = online.node_count(1, True)
    assert "node_count >= 2" in f.message and "Readable Secondaries" in f.doc
    (f,) = online.node_count(0, False)
    assert "at least 1" in str(f) and "node_count" in f.doc


@pytest.mark.parametrize("value,ok", [("SNAPSHOT", True), ("TRIGGERED", True), ("CONTINUOUS", True),
                                      ("continuous", False), ("HOURLY", False)])
def test_scheduling_policies(value: str, ok: bool) -> None:
    assert (online.scheduling_policy(value) == []) is ok


@pytest.mark.parametrize("name,ok", [("main.features.spec", True), ("features.spec", False),
                                     ("a..b", False), ("a.b.c.d", False), ("spec", False)])
def test_feature_spec_three_part(name: str, ok: bool) -> None:
    assert (online.three_part_name(name) == []) is ok


@pytest.mark.parametrize("name,ok", [("features-online", True), ("dev-features-online", True),
                                     ("Features", False), ("1store", False), ("a_b", False), ("a" * 64, False)])
def test_instance_names(name: str, ok: bool) -> None:
    assert (online.instance_name(name) == []) is ok


def test_synced_table_source_keys_and_name_force_recreation_with_a_source() -> None:
    attrs = {r.attribute for r in RULES["databricks_database_synced_database_table"]}
    assert {"name", "spec.source_table_full_name", "spec.primary_key_columns", "spec.timeseries_key"} <= attrs
    assert all(r.source and r.effect == "replace" for r in RULES["databricks_database_synced_database_table"])
    before = {"name": "c.s.t", "spec": {"source_table_full_name": "m.f.t", "primary_key_columns": ["id"],
                                        "scheduling_policy": "TRIGGERED"}}
    policy_only = {**before, "spec": {**before["spec"], "scheduling_policy": "CONTINUOUS"}}
    assert forcing_changes("databricks_database_synced_database_table", before, policy_only) == []
    keys = {**before, "spec": {**before["spec"], "primary_key_columns": ["id", "day"]}}
    assert [r.attribute for r in forcing_changes("databricks_database_synced_database_table", before, keys)] == [
        "spec.primary_key_columns"]
    assert [r.attribute for r in RULES["databricks_database_instance"]] == ["name"]
    assert {r.attribute for r in RULES["databricks_database_database_catalog"]} == {
        "name", "database_instance_name", "database_name"}

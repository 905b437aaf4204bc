"""Issue 15 item 6: the plan review on REAL offline plans of online-store changes.

Base applied once; the head deletes a store and a synced table, changes a synced table's
source (Terraform plans the replacement from databricks_spec.replacement_rules), raises
and lowers capacities, and edits a feature table's grants."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from delivery_support import write_stack

from mlops_tools.offline.harness import apply_stack, verify_stack
from mlops_tools.review.markdown import render
from mlops_tools.review.plan_review import (COST, DATA_LOSS, EXIT_DESTRUCTIVE, SECURITY, Review, StackReview,
                                            review_plan)

SPEC = {"primary_key_columns": ["customer_id"], "scheduling_policy": "TRIGGERED",
        "create_database_objects_if_missing": True,
        "new_pipeline_spec": {"storage_catalog": "main", "storage_schema": "features"}}

BASE: dict[str, Any] = {
    "databricks_database_instance": {
        "store": {"name": "features-online", "capacity": "CU_2"},
        "small": {"name": "small-online", "capacity": "CU_4"},
        "legacy": {"name": "legacy-online", "capacity": "CU_1"},
    },
    "databricks_database_synced_database_table": {
        "customers": {"name": "online.features.customers",
                      "spec": {**SPEC, "source_table_full_name": "main.features.customers"}},
        "usage": {"name": "online.features.usage", "spec": {**SPEC, "source_table_full_name": "main.features.usage"}},
    },
    "databricks_grant": {
        "feature_readers": {"table": "main.features.customers", "principal": "analysts", "privileges": ["SELECT"]},
    },
}


def _head() -> dict[str, Any]:
    head = copy.deepcopy(BASE)
    head["databricks_database_instance"]["store"]["capacity"] = "CU_4"   # cost up
    head["databricks_database_instance"]["small"]["capacity"] = "CU_1"   # cost down
    del head["databricks_database_instance"]["legacy"]                  # store deleted
    del head["databricks_database_synced_database_table"]["usage"]      # synced table deleted
    head["databricks_database_synced_database_table"]["customers"]["spec"]["source_table_full_name"] = \
        "main.features.customers_v2"                                      # source changed: replaced
    head["databricks_grant"]["feature_readers"]["privileges"] = ["MODIFY", "SELECT"]  # grant change
    return head


@pytest.fixture(scope="module")
def review(offline_terraform, tmp_path_factory) -> StackReview:
    tmp = tmp_path_factory.mktemp("feature-review")
    state = tmp / "state.tfstate"
    applied = apply_stack(write_stack(tmp / "base", BASE), state)
    assert applied.ok, applied.failure_text()
    planned = verify_stack(write_stack(tmp / "head", _head()), state=state)
    assert planned.ok and planned.plan, planned.failure_text()
    raw = {rc["address"]: rc for rc in planned.plan["resource_changes"]}
    customers = raw["databricks_database_synced_database_table.customers"]["change"]
    assert customers["actions"] == ["delete", "create"]  # Terraform's own verdict
    assert customers["replace_paths"] == [["spec", "source_table_full_name"]]
    return review_plan("prod", planned.plan)


def _risks(review: StackReview, kind: str) -> dict[str, str]:
    return {r.address: r.message for r in review.risks if r.kind == kind}


def test_deleting_a_store_or_synced_table_is_blocking_data_loss(review: StackReview) -> None:
    loss = _risks(review, DATA_LOSS)
    assert set(loss) == {"databricks_database_instance.legacy",
                         "databricks_database_synced_database_table.usage",
                         "databricks_database_synced_database_table.customers"}
    assert "feature lookups fail" in loss["databricks_database_synced_database_table.usage"]
    assert "online data is lost" in loss["databricks_database_synced_database_table.usage"]
    assert "synced tables in it go offline" in loss["databricks_database_instance.legacy"]
    assert "`spec.source_table_full_name` changed [database_synced_database_table.md" in \
        loss["databricks_database_synced_database_table.customers"]
    assert all(r.blocking for r in review.risks if r.kind == DATA_LOSS)
    assert Review([review]).exit_code == EXIT_DESTRUCTIVE


def test_capacity_changes_are_listed_with_their_cost_direction(review: StackReview) -> None:
    cost = _risks(review, COST)
    assert cost == {
        "databricks_database_instance.store": "`databricks_database_instance.store` (`features-online`): "
                                              "capacity `CU_2` -> `CU_4` (cost up)",
        "databricks_database_instance.small": "`databricks_database_instance.small` (`small-online`): "
                                              "capacity `CU_4` -> `CU_1` (cost down)",
    }
    assert not any(r.blocking for r in review.risks if r.kind == COST)
    assert "💰 **capacity change**" in render(Review([review]))


def test_feature_table_grant_change_is_a_security_review(review: StackReview) -> None:
    security = _risks(review, SECURITY)
    assert "analysts: +MODIFY" in security["databricks_grant.feature_readers"]
    assert "🔐" in render(Review([review]))

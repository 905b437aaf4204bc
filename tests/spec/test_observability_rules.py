"""databricks_spec.observability and databricks_spec.lakeview: pure rules, no jsii."""

from __future__ import annotations

import json

import pytest

from databricks_spec import lakeview
from databricks_spec.rules import Finding
from databricks_spec.observability import (WAREHOUSE_SIZES, auto_stop_problem, bounds_problem, channel_problem,
                                           cluster_bounds_problem, destination_type_problem,
                                           warehouse_size_problem)


def test_warehouse_sizes_and_channels_follow_the_provider_docs() -> None:
    assert WAREHOUSE_SIZES[0] == "2X-Small" and WAREHOUSE_SIZES[-1] == "4X-Large" and len(WAREHOUSE_SIZES) == 9
    assert all(warehouse_size_problem(s) == [] for s in WAREHOUSE_SIZES)
    (f,) = warehouse_size_problem("small")  # case matters to the API
    assert f.message == ("unknown warehouse size 'small'; use one of 2X-Small, X-Small, Small, Medium, Large, "
                         "X-Large, 2X-Large, 3X-Large, 4X-Large")
    assert f.doc == "provider docs: sql_endpoint, cluster_size" and f.key == ()
    assert str(f) == f"{f.message} (provider docs: sql_endpoint, cluster_size)"
    assert channel_problem("preview") == [] and channel_problem("current") == []
    assert channel_problem("CHANNEL_NAME_BETA") == [Finding(
        (), "unknown channel 'CHANNEL_NAME_BETA'; use one of current, preview", "provider docs: sql_endpoint, channel.name")]


@pytest.mark.parametrize("low,high,bad", [(1, 1, False), (1, 4, False), (0, 1, True), (3, 2, True), (1, 41, True)])
def test_cluster_bounds(low, high, bad) -> None:
    assert (cluster_bounds_problem(low, high) != []) is bad


def test_cluster_bounds_messages_and_docs() -> None:
    assert cluster_bounds_problem(0, 1) == [Finding((), "min_clusters and max_clusters must be at least 1",
                                                    "provider docs: sql_endpoint")]
    assert cluster_bounds_problem(3, 2) == [Finding((), "min_clusters (3) is above max_clusters (2)",
                                                    "provider docs: sql_endpoint, 'Argument reference'")]


def test_auto_stop_depends_on_serverless() -> None:
    assert auto_stop_problem(1, serverless=True) == []
    assert auto_stop_problem(0, serverless=False) == []
    (f,) = auto_stop_problem(5, serverless=False)
    assert f.message == "auto_stop_mins of a classic or pro warehouse is 0 (never) or at least 10, got 5"
    assert f.doc == "provider docs: sql_endpoint, 'Argument reference'"


def test_destination_types() -> None:
    for kind in ("email", "slack", "microsoft_teams", "pagerduty", "generic_webhook"):
        assert destination_type_problem(kind) == []
    (f,) = destination_type_problem("sms")
    assert f.message == ("unknown destination type 'sms'; use one of email, slack, microsoft_teams, pagerduty, "
                         "generic_webhook")
    assert f.doc == "provider docs: notification_destination, config"


@pytest.mark.parametrize("minimum,maximum,fragment", [
    (None, None, "set min, max or both"),
    (10.0, 10.0, "must be below max"),
    (10.0, 1.0, "must be below max"),
    (None, 1.5, "within 0..1"),
    (float("nan"), None, "finite"),
])
def test_empty_or_contradictory_bounds_are_refused(minimum, maximum, fragment) -> None:
    assert fragment in bounds_problem(minimum, maximum, low=0.0, high=1.0)


def test_valid_bounds() -> None:
    assert bounds_problem(0.0, None, low=0.0) is None
    assert bounds_problem(None, 0.05, low=0.0, high=1.0) is None


def _doc(order: tuple[str, str]) -> lakeview.Document:
    datasets = {"a": lakeview.Dataset("a", "A", "SELECT 1 AS x,\n  2 AS y"),
                "b": lakeview.Dataset("b", "B", "SELECT 3 AS y")}
    return lakeview.Document("p", "Page", tuple(datasets[k] for k in order), (
        lakeview.Section("s", "Heading", (lakeview.Chart("c1", "C1", "a", "line", x="x", y="y"),
                                          lakeview.Chart("c2", "C2", "b", "counter", y="y"),
                                          lakeview.Chart("c3", "C3", "a", "bar", x="x", y="y", color="x"))),))


def test_serialized_dashboard_is_byte_stable_json() -> None:
    first, again = lakeview.serialize(_doc(("a", "b"))), lakeview.serialize(_doc(("a", "b")))
    assert first == again and "\n" not in first.replace("\\n", "")
    doc = json.loads(first)
    assert list(doc) == sorted(doc)
    assert [d["queryLines"] for d in doc["datasets"]] == [["SELECT 1 AS x,\n", "  2 AS y\n"], ["SELECT 3 AS y\n"]]
    layout = doc["pages"][0]["layout"]
    assert [w["position"] for w in layout] == [
        {"x": 0, "y": 0, "width": 6, "height": 2}, {"x": 0, "y": 2, "width": 3, "height": 6},
        {"x": 3, "y": 2, "width": 3, "height": 6}, {"x": 0, "y": 8, "width": 3, "height": 6}]
    counter = layout[2]["widget"]
    assert counter["spec"]["widgetType"] == "counter" and counter["spec"]["encodings"]["value"]["fieldName"] == "y"
    assert layout[1]["widget"]["queries"][0]["query"]["datasetName"] == "a"


def test_malformed_documents_are_refused() -> None:
    bad = lakeview.Document("p", "Page", (lakeview.Dataset("a", "A", "SELECT 1"),), (
        lakeview.Section("s", "H", (lakeview.Chart("c", "C", "missing", "pie", y="y"),)),))
    problems = lakeview.document_problems(bad)
    assert any("unknown dataset 'missing'" in p for p in problems)
    assert any("unknown widget type 'pie'" in p for p in problems)
    with pytest.raises(ValueError, match="invalid dashboard"):
        lakeview.serialize(bad)

"""Every resource and data source type of the bindings validates and plans offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_tools.offline.harness import verify_stack
from mlops_tools.offline.provider_schema import JsonDict, provider_schemas
from mlops_tools.offline.selftest import selftest_config

pytestmark = pytest.mark.terraform


def test_every_type_validates_and_plans(terraform: str, schema: JsonDict, tmp_path: Path) -> None:
    (tmp_path / "cdk.tf.json").write_text(json.dumps(selftest_config(schema)))
    result = verify_stack(tmp_path)
    assert result.ok, result.failure_text()

    schemas = provider_schemas(schema)
    created = {a.split(".")[0] for a, actions in result.actions().items() if actions == ["create"]}
    assert created == set(schemas["resource_schemas"])
    read = {r["type"] for r in result.plan["prior_state"]["values"]["root_module"]["resources"] if r["mode"] == "data"}
    assert read == set(schemas["data_source_schemas"])
    print(f"self-test: {len(created)} resource types and {len(read)} data source types passed")

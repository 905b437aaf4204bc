"""The schema rebuilt from the bindings matches what the bindings describe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_engine import ENGINE
from mlops_tools.offline.provider_schema import JsonDict, bindings_tarball, load_schema, provider_schemas

PROJECT_ROOT = Path(__file__).resolve().parents[2]


#: per engine: bindings version, provider version, resource types, data sources
EXPECTED = {"cdktf": ("15.16.1", "1.99.0", 136, 112), "cdktn": ("18.11.0", "1.138.0", 177, 195)}


def test_provider_version_comes_from_tarball(schema: JsonDict) -> None:
    bindings, provider, _, _ = EXPECTED[ENGINE.name]
    assert schema["provider_version"] == provider == ENGINE.provider_version
    assert f"@{bindings}." in bindings_tarball().name


def test_type_counts(schema: JsonDict) -> None:
    _, _, resources, data_sources = EXPECTED[ENGINE.name]
    schemas = provider_schemas(schema)
    assert len(schemas["resource_schemas"]) == resources
    assert len(schemas["data_source_schemas"]) == data_sources


def test_job_shape(schema: JsonDict) -> None:
    job = provider_schemas(schema)["resource_schemas"]["databricks_job"]["block"]
    assert job["attributes"]["name"] == {"type": "string", "optional": True}
    assert job["attributes"]["url"] == {"type": "string", "computed": True}
    assert job["attributes"]["id"] == {"type": "string", "optional": True, "computed": True}
    assert job["attributes"]["tags"]["type"] == ["map", "string"]
    assert job["block_types"]["task"]["nesting_mode"] == "list"
    assert "max_items" not in job["block_types"]["task"]
    assert job["block_types"]["email_notifications"]["max_items"] == 1
    assert job["block_types"]["task"]["block"]["attributes"]["task_key"]["required"] is True


def test_grants_shape(schema: JsonDict) -> None:
    grants = provider_schemas(schema)["resource_schemas"]["databricks_grants"]["block"]
    grant = grants["block_types"]["grant"]
    assert grant["nesting_mode"] == "set"
    assert grant["block"]["attributes"]["principal"] == {"type": "string", "required": True}
    assert grant["block"]["attributes"]["privileges"]["type"] == ["set", "string"]


def test_required_and_data_source_attributes(schema: JsonDict) -> None:
    schemas = provider_schemas(schema)
    assert schemas["resource_schemas"]["databricks_mlflow_experiment"]["block"]["attributes"]["name"]["required"]
    assert "alias" not in schemas["provider"]["block"]["attributes"]
    assert schemas["provider"]["block"]["attributes"]["host"]["optional"]
    assert schemas["data_source_schemas"]["databricks_current_user"]["block"]["attributes"]["user_name"]["computed"]


def test_cache_is_written_atomically_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes building the cache at once leave one complete file, reused afterwards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code = "from mlops_tools.offline.provider_schema import load_schema; load_schema()"
    builders = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT) for _ in range(2)]
    assert [b.wait(timeout=60) for b in builders] == [0, 0]
    files = list((tmp_path / "mlops-platform" / "schema").iterdir())
    assert [f.suffix for f in files] == [".json"], "only the final cache file, no temp leftovers"
    cached = load_schema()
    assert cached == json.loads(files[0].read_text())
    assert cached["provider_version"] == ENGINE.provider_version

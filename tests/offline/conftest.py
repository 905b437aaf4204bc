"""Shared fixtures for the offline Terraform harness tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlops_tools.offline.provider_schema import JsonDict, load_schema
from support import PROVIDER_VERSION

StackFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def schema() -> JsonDict:
    """The provider schema rebuilt from the installed bindings."""
    return load_schema()


def _stack_json(resources: JsonDict, *, data: JsonDict | None = None, outputs: JsonDict | None = None) -> JsonDict:
    """A minimal cdktf-style Terraform JSON document using the databricks provider."""
    doc: dict[str, Any] = {
        "terraform": {"required_providers": {"databricks": {"source": "databricks/databricks", "version": PROVIDER_VERSION}}},
        "provider": {"databricks": [{"host": "https://offline.invalid"}]},
        "resource": resources,
    }
    if data:
        doc["data"] = data
    if outputs:
        doc["output"] = outputs
    return doc


@pytest.fixture
def make_stack(tmp_path: Path) -> StackFactory:
    """Write ``cdk.tf.json`` for a stack into a fresh directory and return that directory."""

    def factory(doc: JsonDict, name: str = "stack") -> Path:
        stack_dir = tmp_path / name
        stack_dir.mkdir(parents=True, exist_ok=True)
        (stack_dir / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
        return stack_dir

    return factory


@pytest.fixture(name="stack_json")
def stack_json_fixture() -> Callable[..., JsonDict]:
    """Builder of minimal Terraform JSON documents: ``stack_json(resources, data=, outputs=)``."""
    return _stack_json


@pytest.fixture
def valid_resources() -> JsonDict:
    """A valid experiment + registered model + job (a fresh copy per test)."""
    return copy.deepcopy(_VALID_RESOURCES)


_VALID_RESOURCES: JsonDict = {
    "databricks_mlflow_experiment": {"exp": {"name": "/Shared/offline-exp"}},
    "databricks_registered_model": {"model": {"name": "churn", "catalog_name": "main", "schema_name": "ml"}},
    "databricks_job": {
        "train": {
            "name": "train",
            "description": "v1",
            "tags": {"experiment": "${databricks_mlflow_experiment.exp.id}"},
            "task": [{"task_key": "train", "notebook_task": {"notebook_path": "/Repos/ml/train"}}],
        }
    },
}

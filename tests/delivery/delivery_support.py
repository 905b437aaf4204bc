"""Helpers for the delivery tests (import with `from delivery_support import ...`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support import PROVIDER_VERSION

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def write_stack(directory: Path, resources: dict[str, Any]) -> Path:
    """A minimal cdktf-style stack (cdk.tf.json) using the databricks provider."""
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "terraform": {"required_providers": {"databricks": {"source": "databricks/databricks",
                                                             "version": PROVIDER_VERSION}}},
        "provider": {"databricks": [{"host": "https://offline.invalid"}]},
        "resource": resources,
    }
    (directory / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
    return directory

"""Fixtures for the delivery tests (plan review, change review, workflows)."""

from __future__ import annotations

import os

import pytest

from mlops_tools.offline.harness import TerraformNotFound, ensure_mirror, terraform_binary

@pytest.fixture(scope="session")
def offline_terraform() -> str:
    """terraform with the offline provider mirror; missing terraform fails in CI, skips locally."""
    try:
        path = terraform_binary()
    except TerraformNotFound as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    ensure_mirror()
    return path

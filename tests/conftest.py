"""Shared fixtures. jsii start-up costs ~2 s per process and each resource ~3.6 ms,
so the example app is synthesized once per session and stacks are read from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

import engine_alias  # noqa: F401  (`import cdktf` in tests means the selected engine)
from support import EXAMPLE_CONFIG, Synthesized, synth_config, terraform_or_skip


@pytest.fixture(scope="session")
def example(tmp_path_factory) -> Synthesized:
    """The shipped example (config/), synthesized once for the whole session."""
    return synth_config(EXAMPLE_CONFIG, tmp_path_factory.mktemp("example") / "cdktf.out")


@pytest.fixture
def config_copy(tmp_path) -> Path:
    """A writable copy of the shipped config/ to break or change in one test."""
    dest = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, dest)
    return dest


@pytest.fixture(scope="session")
def synth_construct(tmp_path_factory) -> Callable[[Callable], dict]:
    """Synthesize constructs built by ``build(stack)`` in a throwaway stack; returns the JSON.

    cdktf.Testing.synth_scope is broken in Python (hashicorp/terraform-cdk#2871), so
    the construct goes into TerraformStack(Testing.app(...), "test").
    """
    import cdktf
    import mlops_constructs  # noqa: F401  (jsii environment)

    def _synth(build: Callable) -> dict:
        app = cdktf.Testing.app(outdir=str(tmp_path_factory.mktemp("construct")))
        stack = cdktf.TerraformStack(app, "test")
        build(stack)
        return json.loads(cdktf.Testing.synth(stack))

    return _synth


@pytest.fixture(scope="session")
def terraform() -> str:
    """Path of the terraform binary, with the offline provider mirror installed."""
    from mlops_tools.offline.harness import ensure_mirror

    path = terraform_or_skip()
    ensure_mirror()
    return path

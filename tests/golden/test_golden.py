"""Golden output of the shipped example: every stack, every resource address and the
byte-exact cdk.tf.json, in both stack layouts.

A refactor must keep all of it identical. A change that is meant to alter the output
updates the recorded files in its own commit (and says so):

    MLOPS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden

The recorded files live in tests/golden/<layout>/<stack>.tf.json, plus
tests/golden/<layout>/addresses.txt (one ``stack address`` line per resource and
data source) so a diff of addresses reads without opening the JSON.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mlops_engine import DEFAULT_ENGINE, ENGINE, ENGINES
from support import EXAMPLE_CONFIG, Synthesized, engine_neutral, synth_config

GOLDEN = Path(__file__).resolve().parent
LAYOUTS = ("per-environment", "per-project")
UPDATE = os.environ.get("MLOPS_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def per_project(tmp_path_factory) -> Synthesized:
    """The example with every environment switched to the per-project layout."""
    config = tmp_path_factory.mktemp("golden") / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    for path in sorted((config / "environments").glob("*.yaml")):
        path.write_text(path.read_text() + "\nstacks:\n  layout: per-project\n")
    return synth_config(config, config.parent / "cdktf.out")


def addresses(synth: Synthesized) -> list[str]:
    out = []
    for stack, doc in sorted(synth.stacks.items()):
        for kind, prefix in (("resource", ""), ("data", "data.")):
            for rtype, items in sorted(doc.get(kind, {}).items()):
                out.extend(f"{stack} {prefix}{rtype}.{name}" for name in sorted(items))
    return out


def _check(synth: Synthesized, layout: str) -> None:
    folder = GOLDEN / layout
    recorded_addresses = folder / "addresses.txt"
    actual = {name: (synth.stack_dir(name) / "cdk.tf.json").read_bytes() for name in synth.stacks}
    if UPDATE:
        assert ENGINE.name == DEFAULT_ENGINE, "record golden files with the default engine"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, data in actual.items():
            (folder / f"{name}.tf.json").write_bytes(data)
        recorded_addresses.write_text("\n".join(addresses(synth)) + "\n")
    recorded = {p.name.removesuffix(".tf.json"): p.read_bytes() for p in folder.glob("*.tf.json")}
    assert sorted(actual) == sorted(recorded), "the set of stacks changed"
    assert "\n".join(addresses(synth)) + "\n" == recorded_addresses.read_text(), "resource addresses changed"
    if ENGINE.name != DEFAULT_ENGINE:
        # recorded with the default engine: another engine must produce the same JSON up to
        # its engine and provider version strings (tests/engine/test_equivalence.py too)
        for name in sorted(actual):
            a = engine_neutral(json.loads(recorded[name]), ENGINES[DEFAULT_ENGINE])
            b = engine_neutral(json.loads(actual[name]))
            assert a == b, f"stack {name}: JSON differs from tests/golden/{layout}/{name}.tf.json"
        return
    for name in sorted(actual):
        if actual[name] != recorded[name]:
            # a readable first difference, not two 100 KB blobs
            a, b = json.loads(recorded[name]), json.loads(actual[name])
            assert a == b, f"stack {name}: JSON differs from tests/golden/{layout}/{name}.tf.json"
            pytest.fail(f"stack {name}: same JSON, different bytes (formatting or key order)")


def test_golden_per_environment(example: Synthesized) -> None:
    _check(example, "per-environment")


def test_golden_per_project(per_project: Synthesized) -> None:
    _check(per_project, "per-project")


def test_golden_is_not_empty() -> None:
    for layout in LAYOUTS:
        lines = (GOLDEN / layout / "addresses.txt").read_text().splitlines()
        assert len(lines) > 100, f"{layout}: only {len(lines)} addresses recorded"

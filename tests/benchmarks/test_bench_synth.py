"""Benchmarks (pytest-benchmark). In the normal test run they execute once as smoke
tests (--benchmark-disable in pytest.ini); `make bench` measures them. The 50-project
platform is measured against the hand-written peer in test_bench_compare.py."""

from __future__ import annotations

from pathlib import Path

from support import EXAMPLE_CONFIG
from platform_config import load_platform


def test_bench_load_config(benchmark) -> None:
    platform = benchmark(load_platform, EXAMPLE_CONFIG)
    assert set(platform.environments) >= {"dev", "staging", "prod"}


def test_bench_synth_example(benchmark, tmp_path: Path, example) -> None:
    """Synthesis of the whole example once jsii is running (the session fixture started it)."""
    from mlops_tools.synth import synth

    counter = iter(range(1000))
    summaries = benchmark.pedantic(lambda: synth(EXAMPLE_CONFIG, tmp_path / f"out{next(counter)}"),
                                   rounds=3, iterations=1)
    assert {s.name for s in summaries} == set(example.stacks)

"""Benchmarks (pytest-benchmark). In the normal test run they execute once as smoke
tests (--benchmark-disable in pytest.ini); `make bench` measures them."""

from __future__ import annotations

from pathlib import Path

from support import EXAMPLE_CONFIG
from resolution.checks import load_checked as load_platform  # as the pipeline loads: derived names too


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


def test_bench_synth_50_projects_per_project_layout(benchmark, tmp_path: Path, example) -> None:
    """A platform of 50 ML projects in one environment, one stack per project (the
    layout meant for large platforms): every project stack synthesizes."""
    import shutil

    from mlops_tools.synth import synth

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    for env in ("staging", "prod"):
        (config / "environments" / f"{env}.yaml").unlink()
    dev = config / "environments" / "dev.yaml"
    dev.write_text(dev.read_text() + "\nstacks:\n  layout: per-project\n")
    import yaml

    project = yaml.safe_load((config / "projects" / "churn.yaml").read_text())
    project.pop("environments")  # overrides for the environments removed above
    template = yaml.safe_dump(project, sort_keys=False)
    (config / "projects" / "churn.yaml").unlink()
    for i in range(50):
        (config / "projects" / f"p{i:02d}.yaml").write_text(template.replace("churn", f"p{i:02d}"))
    counter = iter(range(1000))
    summaries = benchmark.pedantic(lambda: synth(config, tmp_path / f"out{next(counter)}"),
                                   rounds=1, iterations=1)
    assert len(summaries) == 51
    assert {s.name for s in summaries} == {"dev-platform"} | {f"dev-p{i:02d}" for i in range(50)}
    assert all(s.resources > 0 for s in summaries)

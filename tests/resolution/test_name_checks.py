"""resolution.checks: every derived name is checked through resolution.names (the one home
of the formulas), located with the config source map; no jsii."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG
from platform_config import ConfigError, load_platform
from resolution import checks, names


def test_drift_metrics_table_name() -> None:
    """(was mlops_constructs.quality_monitor.drift_metrics_table_name, a copy of this formula)"""
    assert names.drift_metrics_table("mlops_dev.churn_monitoring",
                                     "mlops_dev.churn_inference.churn_payload_processed") == \
        "mlops_dev.churn_monitoring.churn_payload_processed_drift_metrics"


def test_the_checks_derive_names_through_resolution_names(monkeypatch) -> None:
    """Change a formula in resolution.names and the check sees it: there is no second copy."""
    platform = load_platform(EXAMPLE_CONFIG)
    assert checks.name_problems(platform) == []
    monkeypatch.setattr(names, "endpoint_name", lambda env, project, key, configured: "e" * 64)
    monkeypatch.setattr(names, "job_name", lambda env, project, kind, configured: "same-job")
    problems = checks.name_problems(platform)
    endpoint = [p for p in problems if "serving endpoint name" in p.summary]
    assert {p.summary.split("'")[3] for p in endpoint} == {"dev", "staging", "prod"}
    assert all(p.file.endswith("churn.yaml") and p.line > 0 and p.key == "name" for p in endpoint)
    assert "more than 63" in endpoint[0].summary
    # one project's four jobs sharing a name is no cross-project collision
    assert not [p for p in problems if "same Databricks object" in p.summary]


def test_load_platform_runs_the_check_with_its_own(config_copy: Path) -> None:
    """Derived-name problems come with the config layer's, in one ConfigError."""
    for name in ("a-b", "a_b"):
        (config_copy / "projects" / f"{name}.yaml").write_text(f"name: {name}\nowner: team@example.com\n")
    (config_copy / "projects" / "bad.yaml").write_text("name: bad\nowner: team@example.com\nbad_key: 1\n")
    with pytest.raises(ConfigError) as info:
        checks.load_checked(config_copy)
    summaries = [p.summary for p in info.value.problems]
    own = [s for s in summaries if s.startswith("unknown key")]
    assert own and any("is the same Databricks object as" in s for s in summaries)
    with pytest.raises(ConfigError) as plain:
        load_platform(config_copy)  # without the check: only the config layer's problem
    assert [p.summary for p in plain.value.problems] == own


def test_collisions_are_located_in_both_files(config_copy: Path) -> None:
    for name in ("a-b", "a_b"):
        (config_copy / "projects" / f"{name}.yaml").write_text(f"# {name}\nname: {name}\nowner: team@example.com\n")
    with pytest.raises(ConfigError) as info:
        checks.load_checked(config_copy)
    hits = [p for p in info.value.problems if "same Databricks object" in p.summary]
    assert hits and all(p.file.endswith("a_b.yaml") and p.line == 2 and p.key == "name" for p in hits)
    assert all(f"a-b.yaml:2)" in p.summary for p in hits)


def test_a_target_built_in_code_is_checked_without_a_location() -> None:
    platform = load_platform(EXAMPLE_CONFIG)
    target = platform.targets["dev"][0]
    long = dataclasses.replace(target, project=target.project.model_copy(update={"name": "c" * 60}), source=None)
    problems = checks.environment_name_problems("dev", [long])
    assert problems and all((p.file, p.line, p.key) == ("", 0, "name") for p in problems)


def test_the_job_running_a_pipeline_is_checked_where_its_name_is_written(config_copy: Path) -> None:
    from databricks_spec.names import JOB_NAME_MAX
    path = config_copy / "projects" / "churn.yaml"
    text = path.read_text()
    anchor = "      feature_engineering: true      # the feature job runs it first (full refresh off)\n"
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + f"      job:\n        name: {'j' * JOB_NAME_MAX}\n"))
    line = text[:text.index(anchor)].count("\n") + 3
    with pytest.raises(ConfigError) as info:
        checks.load_checked(config_copy)
    hits = [p for p in info.value.problems if p.key == "pipelines.ingest.orchestration.job.name"]
    # the naming rule prefixes dev and staging; prod's unprefixed name is exactly at the limit
    assert {p.summary.split("'")[3] for p in hits} == {"dev", "staging"}, info.value.problems
    assert all(p.file.endswith("churn.yaml") and p.line == line and "more than 4096" in p.summary for p in hits)

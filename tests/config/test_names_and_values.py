"""Issue 11 items 4 and 5: names checked where they are written; values the workspace
would refuse are refused here (exit 2, file:line and key, no traceback, outdir untouched)."""

from __future__ import annotations

from pathlib import Path

import pytest

from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot
from databricks_spec.names import endpoint_name_problem, name_problem, uc_name_problem
from databricks_spec.node_types import node_type_mismatch
from databricks_spec.quartz import QuartzError, validate_quartz
from databricks_spec.ranges import int_range_problem
from platform_config import load_platform

PROJECT = "projects/churn.yaml"


def _edit(config: Path, rel: str, old: str, new: str) -> Path:
    path = config / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return path


def _refused(config: Path, tmp_path: Path, where: str, key: str | None, fragment: str):
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config, outdir)
    return assert_refused(run, before, outdir, where, key, fragment), run


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# ------------------------------------------------------------------------------ names

def test_projects_colliding_after_normalization_name_both_files(config_copy: Path, tmp_path: Path) -> None:
    for name in ("a-b", "a_b"):
        (config_copy / "projects" / f"{name}.yaml").write_text(
            f"# project {name}\nname: {name}\nowner: team@example.com\n")
    first, second = config_copy / "projects/a-b.yaml", config_copy / "projects/a_b.yaml"
    line, run = _refused(config_copy, tmp_path, f"{second}:2", "name", "is the same Databricks object as")
    assert f"({first}:2)" in line
    assert "schema 'a_b_models'" in run.err and "registered model 'a_b_models.a_b_model'" in run.err


def test_long_project_name_is_refused_where_written(config_copy: Path, tmp_path: Path) -> None:
    long_name = "c" + "hurn" * 14  # 57 characters: dev-<name>-churn is longer than 63
    path = _edit(config_copy, PROJECT, "\nname: churn\n", f"\nname: {long_name}\n")
    _refused(config_copy, tmp_path, f"{path}:{_line(path, 'name: ' + long_name)}", "name",
             "endpoint name is")


def test_long_explicit_endpoint_name(config_copy: Path, tmp_path: Path) -> None:
    path = _edit(config_copy, PROJECT, "    churn:\n      description: Real-time",
                 "    churn:\n      name: " + "e" * 60 + "\n      description: Real-time")
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    assert run.code == 2 and "Traceback" not in run.err
    assert any(l.startswith(f"error: {path}:") and "serving.endpoints.churn.name" in l for l in run.err.splitlines())
    assert snapshot(outdir) == before


def test_upper_case_unity_catalog_name_is_refused(config_copy: Path, tmp_path: Path) -> None:
    path = _edit(config_copy, PROJECT, "  features:\n    comment: Customer feature",
                 "  features:\n    name: Churn_Features\n    comment: Customer feature")
    _refused(config_copy, tmp_path, f"{path}:{_line(path, 'Churn_Features')}", "schemas.features.name",
             "Unity Catalog stores names in lower case; write 'churn_features'")


def test_empty_principal_is_refused(config_copy: Path, tmp_path: Path) -> None:
    path = _edit(config_copy, PROJECT, "    groups: [churn-team]", '    groups: [churn-team, " "]')
    _refused(config_copy, tmp_path, f"{path}:{_line(path, 'groups: [churn-team, ')}", "roles.churn_team.groups[1]", "principal name is empty")


def test_derived_names_of_the_example_are_all_valid() -> None:
    from resolution.checks import derived_names, name_problems
    from support import EXAMPLE_CONFIG

    platform = load_platform(EXAMPLE_CONFIG)
    names = {(t.env.name, d.kind, d.name) for ts in platform.targets.values() for t in ts for d in derived_names(t)}
    assert ("dev", "serving endpoint", "dev-churn") in names
    assert ("prod", "job", "churn-training-job") in names  # prod: naming style none
    assert ("dev", "schema", "churn_features") in names
    assert ("dev", "experiment", "/Shared/mlops/dev-churn/churn-experiment") in names
    assert name_problems(platform) == []


def test_name_rules() -> None:
    assert endpoint_name_problem("dev-churn") == []
    assert "more than 63" in endpoint_name_problem("e" * 64)[0].message
    assert uc_name_problem("churn_models") == []
    assert "lower case" in uc_name_problem("Churn")[0].message
    assert "more than 255" in uc_name_problem("x" * 256)[0].message
    assert name_problem("experiment", "relative/path")


# ------------------------------------------------------------------------------ values

@pytest.mark.parametrize("cron", ["0 0 0 30 2 ?", "0 0 0 31 4 ?", "0 0 0 31 APR,JUN,SEP,NOV ?",
                                  "0 0 0 29 2 ? 2027", "0 0 0 32 * ?"])
def test_schedules_that_never_fire(config_copy: Path, tmp_path: Path, cron: str) -> None:
    path = _edit(config_copy, PROJECT, 'cron: "0 0 4 ? * MON"', f'cron: "{cron}"')
    line = _line(path, f'cron: "{cron}"')
    _refused(config_copy, tmp_path, f"{path}:{line}", "jobs.training.schedule.cron", "invalid Quartz cron expression")


@pytest.mark.parametrize("cron", ["0 0 0 29 2 ?", "0 0 0 31 1-12 ?", "0 0 0 30 1,2 ?", "0 0 0 29 2 ? 2028",
                                  "0 0 0 L 2 ?", "0 0 6 L-30 * ?"])
def test_schedules_that_can_fire(cron: str) -> None:
    validate_quartz(cron)


def test_never_firing_message() -> None:
    with pytest.raises(QuartzError, match="day-of-month 30 never occurs in FEB"):
        validate_quartz("0 0 0 30 2 ?")


@pytest.mark.parametrize("old,new,line,key,fragment", [
    ("max_workers: 4}", "max_workers: 2147483648}", None, "jobs.compute.default.cluster.autoscale.max_workers",
     "does not fit a 32-bit integer"),
    ("timeout_seconds: 14400", "timeout_seconds: 99999999999", None, "jobs.timeout_seconds", "32-bit"),
    ("      calls: 600", "      calls: 9223372036854775808", None, "serving.endpoints.churn.rate_limits[0].calls",
     "out of range"),
    ("      version: 1\n", "      version: -9223372036854775809\n", None,
     "serving.endpoints.churn.entities.champion.version", "out of range"),
    ("RUN_DURATION_SECONDS: 7200", "RUN_DURATION_SECONDS: 99999999999999999999", None,
     "jobs.health.RUN_DURATION_SECONDS", "out of range"),
])
def test_integer_ranges(config_copy: Path, tmp_path: Path, old, new, line, key, fragment) -> None:
    path = _edit(config_copy, PROJECT, old, new)
    line = line or _line(path, new.strip().split("\n")[0])
    _refused(config_copy, tmp_path, f"{path}:{line}", key, fragment)


def test_int_range_rule() -> None:
    assert int_range_problem("max_workers", 2 ** 31) and int_range_problem("max_workers", 2 ** 31 - 1) == []
    assert int_range_problem("calls", 2 ** 31) == [] and int_range_problem("calls", 2 ** 63)


def test_node_type_of_another_cloud_is_a_warning(config_copy: Path, tmp_path: Path) -> None:
    path = _edit(config_copy, PROJECT, "        autoscale: {min_workers: 1, max_workers: 4}",
                 "        node_type: m5d.xlarge\n        autoscale: {min_workers: 1, max_workers: 4}")
    platform = load_platform(config_copy)
    warnings = [str(w) for w in platform.warnings]
    line = _line(path, "node_type: m5d.xlarge")
    assert any(f"{path}:{line} jobs.compute.default.cluster.node_type: node type 'm5d.xlarge' looks like an AWS"
               in w for w in warnings), warnings
    assert node_type_mismatch("Standard_D4ds_v5", "azure") is None
    assert node_type_mismatch("n2-highmem-8", "aws")
    assert node_type_mismatch("new-family-x", "aws") is None  # unknown shapes pass silently


def test_example_has_no_warnings() -> None:
    from support import EXAMPLE_CONFIG

    assert load_platform(EXAMPLE_CONFIG).warnings == []


@pytest.mark.parametrize("host", ["http://adb-1.azuredatabricks.net", "https://user:pw@adb-1.azuredatabricks.net",
                                  "https://adb-1.azuredatabricks.net?x=1", "https://adb-1.azuredatabricks.net#f",
                                  "https://adb-1.azuredatabricks.net/${file(\"/etc/passwd\")}", "https://"])
def test_workspace_host_is_a_plain_https_url(config_copy: Path, tmp_path: Path, host: str) -> None:
    path = _edit(config_copy, "environments/dev.yaml", "  host: https://adb-1111111111111111.11.azuredatabricks.net",
                 f"  host: '{host}'")
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    assert run.code == 2 and "Traceback" not in run.err
    assert any(l.startswith(f"error: {path}:{_line(path, 'host: ' + repr(host))} workspace.host:") for l in run.err.splitlines()), run.err
    assert "pw@" not in run.err
    assert snapshot(outdir) == before


def test_upper_case_volume_name_is_refused(config_copy: Path, tmp_path: Path) -> None:
    path = _edit(config_copy, PROJECT, "  raw_extracts:\n    schema: features",
                 "  raw_extracts:\n    name: Raw_Extracts\n    schema: features")
    _refused(config_copy, tmp_path, f"{path}:{_line(path, 'Raw_Extracts')}", "volumes.raw_extracts.name",
             "write 'raw_extracts'")

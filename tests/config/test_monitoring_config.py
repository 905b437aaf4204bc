"""monitors config: one profile per monitor, table xor endpoint, schedules (Quartz +
time zone), notifications, custom metrics; errors name file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from support import config_problems, edit_yaml, line_of, problem_at

from platform_config import load_platform
from platform_config.monitoring import CustomMetricConfig, MonitorConfig

PROJECT = Path("projects/churn.yaml")


def edit(config: Path, change: Callable[[dict], None]) -> Path:
    return edit_yaml(config, PROJECT, change)


def monitors(data: dict) -> dict:
    return data["monitors"]


# ----------------------------------------------------------------- the example

def test_example_monitors_resolve():
    platform = load_platform(Path(__file__).resolve().parents[2] / "config")
    for env, targets in platform.targets.items():
        mons = targets[0].project.monitors
        assert mons["inference"].endpoint == "churn" and mons["inference"].inference_log is not None
        assert mons["features"].time_series is not None
    prod = platform.targets["prod"][0].project.monitors["inference"]
    assert prod.notifications.on_failure == ["churn-team@example.com", "ml-oncall@example.com"]
    assert prod.schedule.quartz_cron_expression == "0 0 6 * * ?"


# ----------------------------------------------------------------- exactly one profile

def test_two_profiles_rejected(config_copy):
    path = edit(config_copy, lambda d: monitors(d)["features"].update(snapshot={}))
    p = problem_at(config_problems(config_copy), "monitors.features.snapshot")
    assert "exactly one profile" in p.message and "found: time_series, snapshot" in p.message
    assert p.line == line_of(path, "snapshot: {}")


def test_no_profile_rejected(config_copy):
    path = edit(config_copy, lambda d: monitors(d)["features"].pop("time_series"))
    p = problem_at(config_problems(config_copy), "monitors.features")
    assert "found: none" in p.message
    assert p.line == line_of(path, "features:", "monitors:")


@pytest.mark.parametrize("profile", [
    {"snapshot": {}},
    {"time_series": {"timestamp_col": "ts", "granularities": ["1 hour", "1 day"]}},
    {"inference_log": {"problem_type": "regression", "prediction_col": "p", "timestamp_col": "ts",
                       "model_id_col": "m", "label_col": "y"}},
])
def test_each_profile_type_valid(profile):
    monitor = MonitorConfig.model_validate({"table": "features.t", **profile})
    assert [k for k in ("snapshot", "time_series", "inference_log") if getattr(monitor, k) is not None] \
        == list(profile)


def test_inference_log_rules():
    with pytest.raises(Exception) as info:
        MonitorConfig.model_validate({"table": "t", "inference_log": {
            "problem_type": "regression", "prediction_col": "p", "timestamp_col": "ts",
            "model_id_col": "m", "prediction_proba_col": "proba"}})
    assert "prediction_proba_col only applies to problem_type: classification" in str(info.value)
    with pytest.raises(Exception) as info:
        MonitorConfig.model_validate({"table": "t", "inference_log": {
            "problem_type": "ranking", "prediction_col": "p", "timestamp_col": "ts", "model_id_col": "m"}})
    assert "'classification' or 'regression'" in str(info.value)


def test_granularities(config_copy):
    edit(config_copy, lambda d: monitors(d)["features"]["time_series"].update(granularities=["1 day", "2 days"]))
    p = problem_at(config_problems(config_copy), "monitors.features.time_series.granularities[1]")
    assert "'1 week'" in p.message and "'2 days'" in p.message
    with pytest.raises(Exception) as info:
        MonitorConfig.model_validate({"table": "t", "time_series": {"timestamp_col": "ts", "granularities": []}})
    assert "at least one granularity" in str(info.value)


# ----------------------------------------------------------------- table or endpoint

def test_table_and_endpoint_exclusive(config_copy):
    path = edit(config_copy, lambda d: monitors(d)["inference"].update(table="inference.predictions"))
    p = problem_at(config_problems(config_copy), "monitors.inference.endpoint")
    assert "set exactly one of table" in p.message
    assert p.line == line_of(path, "endpoint: churn", "monitors:")


def test_unknown_endpoint(config_copy):
    path = edit(config_copy, lambda d: monitors(d)["inference"].update(endpoint="churn-v2"))
    p = problem_at(config_problems(config_copy), "monitors.inference.endpoint")
    assert "no serving endpoint 'churn-v2' in this project (serving.endpoints: churn)" in p.message
    assert p.line == line_of(path, "endpoint: churn-v2")


def test_endpoint_without_inference_table(config_copy):
    edit(config_copy, lambda d: d["serving"]["endpoints"]["churn"]["inference_table"].update(enabled=False))
    p = problem_at(config_problems(config_copy), "monitors.inference.endpoint")
    assert "inference_table.enabled: false" in p.message


def test_endpoint_monitor_uses_inference_log(config_copy):
    def change(d):
        inference = monitors(d)["inference"]
        inference.pop("inference_log")
        inference["snapshot"] = {}
        inference.pop("custom_metrics")
    edit(config_copy, change)
    p = problem_at(config_problems(config_copy), "monitors.inference.snapshot")
    assert "uses the inference_log profile" in p.message


# ----------------------------------------------------------------- schedules and notifications

def test_unix_cron_rejected_with_hint(config_copy):
    path = edit(config_copy, lambda d: monitors(d)["features"]["schedule"].update(
        quartz_cron_expression="0 7 * * 1"))
    p = problem_at(config_problems(config_copy), "monitors.features.schedule.quartz_cron_expression")
    assert "expected 6 or 7 fields" in p.message and "Unix cron" in p.message
    assert p.line == line_of(path, "0 7 * * 1")


def test_bad_quartz_field(config_copy):
    edit(config_copy, lambda d: monitors(d)["features"]["schedule"].update(quartz_cron_expression="0 0 25 * * ?"))
    p = problem_at(config_problems(config_copy), "monitors.features.schedule.quartz_cron_expression")
    assert "hours field: 25 is out of range 0-23" in p.message


def test_bad_timezone(config_copy):
    edit(config_copy, lambda d: monitors(d)["features"]["schedule"].update(timezone_id="Berlin"))
    p = problem_at(config_problems(config_copy), "monitors.features.schedule.timezone_id")
    assert "unknown time zone 'Berlin'" in p.message


def test_cron_is_normalized():
    monitor = MonitorConfig.model_validate({"table": "t", "snapshot": {},
                                            "schedule": {"quartz_cron_expression": "0  0 6 ? *  mon"}})
    assert monitor.schedule.quartz_cron_expression == "0 0 6 ? * MON"
    assert monitor.schedule.timezone_id == "UTC"


def test_paused_false_needs_schedule(config_copy):
    def change(d):
        monitors(d)["features"].pop("schedule")
        monitors(d)["features"]["paused"] = False
    edit(config_copy, change)
    p = problem_at(config_problems(config_copy), "monitors.features.paused")
    assert "needs a schedule" in p.message


def test_notification_emails(config_copy):
    edit(config_copy, lambda d: monitors(d)["features"]["notifications"].update(on_failure=["not-an-email"]))
    problem_at(config_problems(config_copy), "monitors.features.notifications.on_failure[0]")


# ----------------------------------------------------------------- metrics, slices, paths

def test_custom_metric_rules(config_copy):
    def change(d):
        metric = monitors(d)["inference"]["custom_metrics"]["high_risk_share"]
        metric.update(type="ratio", output_type="decimal")
    edit(config_copy, change)
    problems = config_problems(config_copy)
    assert "'aggregate', 'derived' or 'drift'" in \
        problem_at(problems, "monitors.inference.custom_metrics.high_risk_share.type").message
    assert "unsupported output_type 'decimal'" in \
        problem_at(problems, "monitors.inference.custom_metrics.high_risk_share.output_type").message


def test_custom_metric_output_data_type_is_struct_field_json():
    metric = CustomMetricConfig.model_validate({"type": "drift", "definition": "{{current_df}}"})
    assert metric.input_columns == [":table"]
    assert metric.output_data_type("x") == '{"name":"x","type":"double","nullable":true,"metadata":{}}'


def test_duplicate_slices_and_relative_assets_dir(config_copy):
    def change(d):
        monitors(d)["features"]["slicing_exprs"] = ["region", "region"]
        monitors(d)["features"]["assets_dir"] = "monitors/features"
    edit(config_copy, change)
    problems = config_problems(config_copy)
    assert "duplicate slicing expression: region" in problem_at(problems, "monitors.features.slicing_exprs").message
    assert "absolute workspace path" in problem_at(problems, "monitors.features.assets_dir").message


def test_bad_table_reference(config_copy):
    edit(config_copy, lambda d: monitors(d)["features"].update(table="a.b.c.d"))
    problem_at(config_problems(config_copy), "monitors.features.table")


def test_one_monitor_per_table(config_copy):
    def change(d):
        monitors(d)["features_weekly"] = dict(monitors(d)["features"])
    path = edit(config_copy, change)
    p = problem_at(config_problems(config_copy), "monitors.features_weekly.table")
    assert "monitor 'features' already watches this table" in p.message
    assert p.line == line_of(path, "table: features.customer_features", "features_weekly:")

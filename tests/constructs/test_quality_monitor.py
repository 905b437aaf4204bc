"""QualityMonitor construct: each profile type, one-profile rule, schedule (and pause),
notifications, slicing, custom metrics, baseline, outputs. One synth for the module."""

from __future__ import annotations

import pytest

from mlops_constructs.quality_monitor import (CustomMetricSpec, InferenceLogSpec, MonitorScheduleSpec, QualityMonitor,
                                              QualityMonitorProps, SnapshotSpec, TimeSeriesSpec)

OUT = "mlops_dev.churn_monitoring"
SCHEDULE = MonitorScheduleSpec(quartz_cron_expression="0 0 6 * * ?", timezone_id="Europe/Berlin")
BUILT: dict[str, QualityMonitor] = {}


def props(**overrides) -> QualityMonitorProps:
    base = dict(table_name="mlops_dev.churn_inference.churn_payload_processed", output_schema_name=OUT,
                assets_dir="/Shared/mlops/dev-churn/monitors/inference")
    base.update(overrides)
    return QualityMonitorProps(**base)


INFERENCE = InferenceLogSpec(problem_type="classification", prediction_col="prediction", timestamp_col="ts",
                         model_id_col="model_version", label_col="churned", prediction_proba_col="proba",
                         granularities=("1 week", "1 day"))


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        BUILT["inference"] = QualityMonitor(stack, "inference", props(
            inference_log=INFERENCE, schedule=SCHEDULE,
            notify_on_failure=("ops@example.com", "churn@example.com"),
            notify_on_new_classification_tag=("privacy@example.com",),
            slicing_exprs=("tenure_months > 12", "contract_type"),
            custom_metrics=(
                CustomMetricSpec(name="zz_drift", type="drift", definition="{{current_df}} - {{base_df}}",
                             output_data_type='{"name":"zz_drift","type":"double","nullable":true,"metadata":{}}'),
                CustomMetricSpec(name="high_risk", type="aggregate", definition="avg(`{{input_column}}` > 0.8)",
                             input_columns=("proba",),
                             output_data_type='{"name":"high_risk","type":"double","nullable":true,"metadata":{}}'),
            ),
            warehouse_id="0f1e2d3c4b5a6978", data_classification=True))
        BUILT["features"] = QualityMonitor(stack, "features", props(
            table_name="mlops_dev.churn_features.customer_features",
            assets_dir="/Shared/mlops/dev-churn/monitors/features",
            time_series=TimeSeriesSpec(timestamp_col="snapshot_date", granularities=("1 day",)),
            schedule=SCHEDULE, paused=True))
        BUILT["snapshot"] = QualityMonitor(stack, "snapshot", props(
            table_name="mlops_dev.crm.customers", assets_dir="/Shared/mlops/dev-churn/monitors/customers",
            snapshot=SnapshotSpec(), baseline_table_name="mlops_dev.crm.customers_baseline",
            skip_builtin_dashboard=True))
    return synth_construct(build)


def monitor(doc, table):
    return next(r for r in doc["resource"]["databricks_quality_monitor"].values() if r["table_name"] == table)


def test_inference_log_profile(doc):
    m = monitor(doc, "mlops_dev.churn_inference.churn_payload_processed")
    assert m["inference_log"] == [{"problem_type": "PROBLEM_TYPE_CLASSIFICATION", "prediction_col": "prediction",
                                   "timestamp_col": "ts", "model_id_col": "model_version", "label_col": "churned",
                                   "prediction_proba_col": "proba", "granularities": ["1 day", "1 week"]}]
    assert "time_series" not in m and "snapshot" not in m
    assert m["output_schema_name"] == OUT
    assert m["assets_dir"] == "/Shared/mlops/dev-churn/monitors/inference"
    assert m["warehouse_id"] == "0f1e2d3c4b5a6978"
    assert m["data_classification_config"] == [{"enabled": True}]


def test_time_series_profile(doc):
    m = monitor(doc, "mlops_dev.churn_features.customer_features")
    assert m["time_series"] == [{"timestamp_col": "snapshot_date", "granularities": ["1 day"]}]
    assert "inference_log" not in m and "snapshot" not in m


def test_snapshot_profile_with_baseline(doc):
    m = monitor(doc, "mlops_dev.crm.customers")
    assert m["snapshot"] == [{}]
    assert m["baseline_table_name"] == "mlops_dev.crm.customers_baseline"
    assert m["skip_builtin_dashboard"] is True
    assert "schedule" not in m and "notifications" not in m


def test_schedule_and_pause(doc):
    m = monitor(doc, "mlops_dev.churn_inference.churn_payload_processed")
    assert m["schedule"] == [{"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "Europe/Berlin"}]
    paused = monitor(doc, "mlops_dev.churn_features.customer_features")
    assert "schedule" not in paused  # the provider has no paused state: the schedule is left out
    notes = [str(m.data) for m in BUILT["features"].resource.node.metadata if "info" in m.type]
    assert any("paused" in n and "0 0 6 * * ?" in n for n in notes)


def test_notifications_sorted(doc):
    m = monitor(doc, "mlops_dev.churn_inference.churn_payload_processed")
    assert m["notifications"] == [{
        "on_failure": [{"email_addresses": ["churn@example.com", "ops@example.com"]}],
        "on_new_classification_tag_detected": [{"email_addresses": ["privacy@example.com"]}]}]


def test_slicing_and_custom_metrics_sorted(doc):
    m = monitor(doc, "mlops_dev.churn_inference.churn_payload_processed")
    assert m["slicing_exprs"] == ["contract_type", "tenure_months > 12"]
    assert [c["name"] for c in m["custom_metrics"]] == ["high_risk", "zz_drift"]
    high = m["custom_metrics"][0]
    assert high["type"] == "CUSTOM_METRIC_TYPE_AGGREGATE" and high["input_columns"] == ["proba"]
    assert m["custom_metrics"][1]["type"] == "CUSTOM_METRIC_TYPE_DRIFT"
    assert m["custom_metrics"][1]["input_columns"] == [":table"]


@pytest.mark.parametrize("overrides, message", [
    (dict(), "exactly one profile: inference_log, time_series or snapshot (found: none)"),
    (dict(snapshot=SnapshotSpec(), time_series=TimeSeriesSpec(timestamp_col="ts")),
     "exactly one profile: inference_log, time_series or snapshot (found: time_series, snapshot)"),
    (dict(snapshot=SnapshotSpec(), table_name="customers"), "table_name must be catalog.schema.table"),
    (dict(snapshot=SnapshotSpec(), output_schema_name="monitoring"), "output_schema_name must be catalog.schema"),
    (dict(snapshot=SnapshotSpec(), assets_dir="monitors"), "assets_dir must be an absolute workspace path"),
    (dict(time_series=TimeSeriesSpec(timestamp_col="ts", granularities=("2 days",))), "unsupported granularities 2 days"),
    (dict(snapshot=SnapshotSpec(), schedule=MonitorScheduleSpec(quartz_cron_expression="0 6 * * *")),
     "schedule: expected 6 or 7 fields"),
    (dict(inference_log=InferenceLogSpec(problem_type="ranking", prediction_col="p", timestamp_col="t",
                                     model_id_col="m")), "problem_type 'ranking' not one of classification, regression"),
])
def test_invalid_props_rejected(synth_construct, overrides, message):
    with pytest.raises(ValueError) as info:
        synth_construct(lambda stack: QualityMonitor(stack, "bad", props(**overrides)))
    assert message in str(info.value)

"""Bad observability input through the CLI (docs/observability.md, issue 14 'Bad input'):
exit 2, one error line naming file:line and key, no traceback, nothing written, and a
destination secret written into config never echoed back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from support import edit_yaml, line_of
from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot

CHURN = "projects/churn.yaml"
DEV = "environments/dev.yaml"


def _alerts(data: dict) -> dict:
    return data["observability"]["alerts"]


def fake_webhook() -> str:
    """A made-up Slack webhook URL (generated, so no secret-like literal lives in the repo)."""
    return f"https://hooks.slack.com/services/T{uuid.uuid4().hex[:8].upper()}/B{uuid.uuid4().hex[:8].upper()}/" \
           f"{uuid.uuid4().hex}"


CASES = [
    # (id, file, change, key, fragment, needle)
    ("alert on an unknown monitor", CHURN,
     lambda d: _alerts(d)["feature_rows"].update(monitor="orders"),
     "observability.alerts.feature_rows.monitor", "unknown monitor 'orders' (monitors: features, inference)",
     "monitor: orders"),
    ("alert on an unknown endpoint", CHURN,
     lambda d: _alerts(d)["serving_errors"].update(endpoint="fraud"),
     "observability.alerts.serving_errors.endpoint", "unknown serving endpoint 'fraud'", "endpoint: fraud"),
    ("unknown destination name", CHURN,
     lambda d: d["observability"].update(notify=["team_slack", "pager"]),
     "observability.notify[1]", "unknown notification destination 'pager' (notification_destinations: team_slack)",
     "- pager"),
    ("unknown destination on one alert", CHURN,
     lambda d: _alerts(d)["inference_drift"].update(notify=["ops_teams"]),
     "observability.alerts.inference_drift.notify[0]", "unknown notification destination 'ops_teams'",
     "- ops_teams"),
    ("warehouse size the provider does not accept", DEV,
     lambda d: d["sql_warehouses"]["default"].update(size="XXS"),
     "sql_warehouses.default.size", "unknown warehouse size 'XXS'", "size: XXS"),
    ("warehouse channel the provider does not accept", DEV,
     lambda d: d["sql_warehouses"]["default"].update(channel="beta"),
     "sql_warehouses.default.channel", "unknown channel 'beta'; use one of current, preview", "channel: beta"),
    ("min clusters above max", DEV,
     lambda d: d["sql_warehouses"]["default"].update(min_clusters=3, max_clusters=2),
     "sql_warehouses.default.max_clusters", "min_clusters (3) is above max_clusters (2)", "max_clusters: 2"),
    ("dashboard on an unknown warehouse", CHURN,
     lambda d: d["observability"]["dashboard"].update(warehouse="bi"),
     "observability.dashboard.warehouse", "unknown warehouse 'bi' (sql_warehouses: default)", "warehouse: bi"),
    ("empty bounds", CHURN,
     lambda d: _alerts(d)["feature_rows"].pop("min"),
     "observability.alerts.feature_rows.min", "set min, max or both", "feature_rows:"),
    ("contradictory bounds", CHURN,
     lambda d: _alerts(d)["feature_rows"].update(min=5000, max=100),
     "observability.alerts.feature_rows.max", "min (5000) must be below max (100)", "max: 100"),
    ("null rate outside 0..1", CHURN,
     lambda d: _alerts(d)["feature_nulls"].update(max=5),
     "observability.alerts.feature_nulls.max", "bounds must lie within 0..1", "max: 5"),
    ("a second drift threshold", CHURN,
     lambda d: _alerts(d)["inference_drift"].update(threshold=0.5),
     "observability.alerts.inference_drift.threshold", "jobs.retraining.drift.threshold (0.2)", "threshold: 0.5"),
    ("monitor names a non-email destination", CHURN,
     lambda d: d["monitors"]["features"]["notifications"].update(on_failure=["team_slack"]),
     "monitors.features.notifications.on_failure[0]", "notify by e-mail only", "- team_slack"),
    ("a shared warehouse managed twice", "environments/staging.yaml",
     lambda d: d["sql_warehouses"].update(bi={"id": "a1b2c3d4e5f60718", "permissions": {"readers": "CAN_USE"}}),
     "sql_warehouses.bi.id", "already has permissions under permissions.sql_warehouses.shared",
     ("id: a1b2c3d4e5f60718", "  bi:")),
    ("created-only key on a referenced warehouse", DEV,
     lambda d: d["sql_warehouses"].update(bi={"id": "0123456789abcdef", "size": "Small"}),
     "sql_warehouses.bi.size", "only applies to a warehouse the platform creates", "size: Small"),
    ("pipeline notification names a non-email destination", CHURN,
     lambda d: d["pipelines"]["ingest"]["notifications"][0].update(emails=["team_slack"]),
     "pipelines.ingest.notifications[0].emails[0]", "notify by e-mail only", ("- team_slack", "pipelines:")),
    ("pipeline notification names an unknown destination", CHURN,
     lambda d: d["pipelines"]["ingest"]["notifications"][0].update(emails=["pager"]),
     "pipelines.ingest.notifications[0].emails[0]", "unknown notification destination 'pager'",
     ("- pager", "pipelines:")),
    ("job destination by unknown name", CHURN,
     lambda d: d["environments"]["prod"]["jobs"]["notifications"]["on_failure"].update(destinations=["pager"]),
     "jobs.notifications.on_failure.destinations[0]", "unknown notification destination 'pager'", "- pager"),
]


@pytest.mark.parametrize("desc,relative,change,key,fragment,needle", CASES, ids=[c[0] for c in CASES])
def test_bad_observability_input_is_exit_2_with_file_line_key(config_copy: Path, tmp_path: Path, desc, relative,
                                                              change, key, fragment, needle) -> None:
    path = edit_yaml(config_copy, relative, change)
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    file_line = _file_line(run, key, fragment)
    needle, after = needle if isinstance(needle, tuple) else (needle, None)
    assert file_line.endswith(f"{relative}:{line_of(path, needle, after)}"), (desc, file_line)
    assert_refused(run, before, outdir, file_line, key, fragment)


@pytest.mark.parametrize("field", ["url", "integration_key"])
def test_destination_secret_in_config_is_refused_and_never_echoed(config_copy: Path, tmp_path: Path, field) -> None:
    secret = fake_webhook() if field == "url" else uuid.uuid4().hex
    path = edit_yaml(config_copy, DEV, lambda d: d["notification_destinations"]["team_slack"].update({field: secret}))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    key = f"notification_destinations.team_slack.{field}"
    hit = assert_refused(run, before, outdir, _file_line(run, key), key, "never belongs in config", secret=secret)
    assert hit.split(" ", 2)[1].endswith(f"{DEV}:{line_of(path, f'{field}:')}"), hit


def test_destination_url_under_any_key_is_refused(config_copy: Path, tmp_path: Path) -> None:
    secret = fake_webhook()
    path = edit_yaml(config_copy, DEV, lambda d: d["notification_destinations"]["team_slack"].update(
        display_name=secret))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    key = "notification_destinations.team_slack.display_name"
    hit = assert_refused(run, before, outdir, _file_line(run, key), key, "a URL in a notification destination",
                         secret=secret)
    assert hit.split(" ", 2)[1].endswith(f"{DEV}:{line_of(path, 'display_name:')}"), hit


def _file_line(run, key: str, fragment: str = "") -> str:
    """The 'file:line' of the first error line at ``key`` (containing ``fragment``)."""
    for line in run.err.splitlines():
        if line.startswith("error: ") and f" {key}:" in line and fragment in line:
            return line.removeprefix("error: ").split(" ", 1)[0]
    raise AssertionError(f"no error at {key}:\n{run.err}")


def test_pipeline_notifications_name_email_destinations(config_copy: Path, tmp_path: Path) -> None:
    """A pipeline's `notification` block may name an email destination of the environment by
    key: it reaches the pipeline as that destination's addresses (the provider e-mails only)."""
    from support import synth_config

    def change_env(d: dict) -> None:
        d["notification_destinations"]["team_mail"] = {"type": "email",
                                                       "addresses": ["b@example.com", "a@example.com"]}

    for env in ("dev", "staging", "prod"):
        edit_yaml(config_copy, f"environments/{env}.yaml", change_env)
    edit_yaml(config_copy, CHURN, lambda d: d["pipelines"]["ingest"]["notifications"][0].update(
        emails=["team_mail", "a@example.com", "c@example.com"]))
    out = synth_config(config_copy, tmp_path / "cdktf.out")
    (pipeline,) = [r for r in out.resources("dev", "databricks_pipeline").values()
                   if r["//"]["metadata"]["path"].endswith("churn/pipeline_ingest/Resource")]
    assert [n["email_recipients"] for n in pipeline["notification"]] == [
        ["a@example.com", "b@example.com", "c@example.com"]]

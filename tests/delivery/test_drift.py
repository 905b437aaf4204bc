"""`mlops drift`: plan deployed environments against their live state, with real Terraform.

A stack with a local backend is applied offline (the "live" state); `drift` then plans the
synthesized stack against that state exactly as in CI (terraform init + plan -detailed-exitcode
-lock=false, nothing applied), with the offline provider standing in for Databricks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from delivery_support import PROJECT_ROOT, write_stack

from databricks_spec.diagnostics import ExitCode
from mlops_tools.cli import main
from mlops_tools.offline.harness import apply_stack

pytestmark = pytest.mark.terraform

LIVE = {"databricks_catalog": {"c": {"name": "mlops_staging", "comment": "v1"}},
        "databricks_schema": {"s": {"catalog_name": "mlops_staging", "name": "features"}},
        "databricks_grants": {"c": {"catalog": "mlops_staging",
                                    "grant": [{"principal": "analysts", "privileges": ["USE_CATALOG"]}]}}}


def _outdir(tmp: Path, resources: dict, state: Path) -> Path:
    outdir = tmp / "cdktf.out"
    stack = write_stack(outdir / "stacks" / "staging", resources)
    doc = json.loads((stack / "cdk.tf.json").read_text())
    doc["terraform"]["backend"] = {"local": {"path": str(state)}}
    (stack / "cdk.tf.json").write_text(json.dumps(doc))
    (outdir / "manifest.json").write_text(json.dumps(
        {"stacks": {"staging": {"workingDirectory": "stacks/staging", "dependencies": []}}}))
    return outdir


@pytest.fixture
def live(offline_terraform, tmp_path, monkeypatch) -> Path:
    """A config dir naming `staging`, its live state, and terraform pointed at the offline provider."""
    from mlops_tools.offline.harness import ensure_mirror, provider_server

    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(ensure_mirror()))
    # terraform attaches to the offline stand-in (it is never installed as a plugin)
    monkeypatch.setenv("TF_REATTACH_PROVIDERS", provider_server().reattach)
    (tmp_path / "config" / "environments").mkdir(parents=True)
    (tmp_path / "config" / "environments" / "staging.yaml").write_text("# names the environment\n")
    state = tmp_path / "live.tfstate"
    applied = apply_stack(write_stack(tmp_path / "applied", LIVE), state)
    assert applied.ok, applied.failure_text()
    return state


def _drift(tmp_path: Path, outdir: Path) -> int:
    return main(["drift", "--env", "staging", "--no-synth", "--config", str(tmp_path / "config"),
                 "--outdir", str(outdir), "--output-dir", str(tmp_path / "drift")])


def test_in_sync_is_exit_0(live, tmp_path, capsys):
    assert _drift(tmp_path, _outdir(tmp_path, LIVE, live)) == ExitCode.OK
    assert (tmp_path / "drift" / "staging.status").read_text() == "in-sync\n"
    assert "1 stack(s): no changes." in (tmp_path / "drift" / "staging.md").read_text()
    assert "staging: in-sync" in capsys.readouterr().err


def test_drift_is_exit_4_with_the_review_as_issue_body(live, tmp_path, capsys):
    head = json.loads(json.dumps(LIVE))
    head["databricks_catalog"]["c"]["comment"] = "v2"
    head["databricks_grants"]["c"]["grant"][0]["privileges"] = ["USE_CATALOG", "USE_SCHEMA"]
    state_before = live.read_bytes()
    assert _drift(tmp_path, _outdir(tmp_path, head, live)) == ExitCode.DRIFT
    body = (tmp_path / "drift" / "staging.md").read_text()
    assert body.startswith("### Drift: staging (live state vs. configuration)")
    assert "2 to update" in body and "`analysts: +USE_SCHEMA`" in body and "live state differs" in body
    assert (tmp_path / "drift" / "staging.status").read_text() == "drift\n"
    assert live.read_bytes() == state_before  # nothing applied, no lock taken
    assert "drifted stacks: staging" in capsys.readouterr().err


def test_a_failed_plan_is_exit_1(live, tmp_path):
    broken = {"databricks_catalog": {"c": {"name": "mlops_staging", "no_such_argument": 1}}}
    assert _drift(tmp_path, _outdir(tmp_path, broken, live)) == ExitCode.CHECK_FAILED
    assert (tmp_path / "drift" / "staging.status").read_text() == "failed\n"
    assert "1 failed (`staging`)" in (tmp_path / "drift" / "staging.md").read_text()


def test_a_plan_refused_by_prevent_destroy_is_drift_and_says_why(live, tmp_path):
    head = json.loads(json.dumps(LIVE))
    head["databricks_schema"]["s"].update(name="features_v2", lifecycle={"prevent_destroy": True})
    assert _drift(tmp_path, _outdir(tmp_path, head, live)) == ExitCode.DRIFT
    body = (tmp_path / "drift" / "staging.md").read_text()
    assert "`databricks_schema.s` would be destroyed" in body and "1 refused (`staging`)" in body
    assert (tmp_path / "drift" / "staging.status").read_text() == "drift\n"


def test_unknown_environment_is_exit_2(live, tmp_path):
    assert main(["drift", "--env", "nope", "--no-synth", "--config", str(tmp_path / "config")]) == ExitCode.BAD_INPUT


def test_the_environments_ci_deploys(capsys):
    assert main(["drift", "--list", "--config", str(PROJECT_ROOT / "config")]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out) == ["prod", "staging"]

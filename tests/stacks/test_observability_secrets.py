"""No notification destination secret reaches any synthesized file or log: the values are set
as CI sets them (TF_VAR_<name>), then the example is synthesized and planned offline with the
real CLI; every byte written and printed is searched for them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from support import ROOT

pytestmark = pytest.mark.terraform

VARIABLES = ("notification_dev_team_slack_url", "notification_staging_team_slack_url",
             "notification_prod_team_slack_url", "notification_prod_oncall_integration_key")


def test_destination_secrets_never_reach_files_or_logs(terraform, tmp_path) -> None:
    secrets = {name: (f"https://hooks.slack.com/services/{uuid.uuid4().hex}" if name.endswith("_url")
                      else uuid.uuid4().hex) for name in VARIABLES}
    env = {**os.environ, **{f"TF_VAR_{k}": v for k, v in secrets.items()}}
    env.pop("MLOPS_DEBUG", None)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--outdir", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=900, env=env)
    logs = result.stdout + result.stderr
    assert result.returncode == 0, logs[-3000:]
    files = [p for p in out.rglob("*") if p.is_file()]
    plans = {p.stem: p.read_text() for p in files if p.parent.name == "plans"}
    assert sorted(plans) == ["dev", "prod", "staging"], logs[-3000:]
    for text in plans.values():  # the destinations' secret fields are planned as sensitive
        assert "Terraform will perform the following actions" in text and "(sensitive value)" in text
    assert sum(p.name == "cdk.tf.json" for p in files) == 3
    for name, value in secrets.items():
        assert value not in logs, name
        for path in files:
            assert value.encode() not in path.read_bytes(), (name, path)

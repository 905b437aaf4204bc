"""The saved-plan hand-off carries imports: plan-stacks.sh plans a stack whose cdk.tf.json has
``import`` blocks (as synth writes them from config/imports/<env>.yaml), the review JSON shows
the import, and apply-plans.sh adopts the object under its id (docs/adopting.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_support import PROJECT_ROOT, write_stack

from mlops_tools.offline.harness import ensure_mirror, provider_server

pytestmark = pytest.mark.terraform

SCRIPTS = PROJECT_ROOT / ".github" / "scripts"
RESOURCES = {"databricks_catalog": {"c": {"name": "mlops_staging", "comment": "adopted"}},
             "databricks_schema": {"s": {"catalog_name": "${databricks_catalog.c.name}", "name": "features"}}}


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(ensure_mirror()), PYTHON=sys.executable, TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", PYTHONPATH=str(PROJECT_ROOT), TF_PLAN_ARGS="-lock=false",
               TF_REATTACH_PROVIDERS=provider_server().reattach)
    return subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_saved_plan_imports_and_the_apply_adopts(offline_terraform, tmp_path):
    (tmp_path / "config" / "environments").mkdir(parents=True)
    (tmp_path / "config" / "environments" / "staging.yaml").write_text("# names the environment\n")
    state = tmp_path / "live.tfstate"
    stack = write_stack(tmp_path / "cdktf.out" / "stacks" / "staging", RESOURCES)
    doc = json.loads((stack / "cdk.tf.json").read_text())
    doc["terraform"]["backend"] = {"local": {"path": str(state)}}
    doc["import"] = [{"id": "mlops_staging", "to": "databricks_catalog.c"},
                     {"id": "mlops_staging.features", "to": "databricks_schema.s"}]
    (stack / "cdk.tf.json").write_text(json.dumps(doc))
    (tmp_path / "cdktf.out" / "manifest.json").write_text(json.dumps(
        {"stacks": {"staging": {"workingDirectory": "stacks/staging", "dependencies": []}}}))

    planned = _run("plan-stacks.sh", "staging", "cdktf.out", "plans", cwd=tmp_path)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    review = json.loads((tmp_path / "plans" / "review" / "staging.json").read_text())
    changes = {rc["address"]: rc["change"] for rc in review["resource_changes"]}
    assert {a: c["importing"] for a, c in changes.items()} == {
        "databricks_catalog.c": {"id": "mlops_staging"}, "databricks_schema.s": {"id": "mlops_staging.features"}}
    assert all("create" not in c["actions"] for c in changes.values())
    assert "import" in json.loads((tmp_path / "plans" / "stacks" / "staging" / "cdk.tf.json").read_text())

    applied = _run("apply-plans.sh", "plans", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    ids = {f"{r['type']}.{r['name']}": r["instances"][0]["attributes"]["id"]
           for r in json.loads(state.read_text())["resources"]}
    assert ids == {"databricks_catalog.c": "mlops_staging", "databricks_schema.s": "mlops_staging.features"}

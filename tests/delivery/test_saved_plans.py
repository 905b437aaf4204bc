"""The deploy hand-off, run for real: plan-stacks.sh saves each stack's plan with its stack,
apply-plans.sh applies exactly those files, and a stale plan stops with "re-run".

The scripts are the ones deploy.yml runs (.github/scripts/); Terraform runs against the offline
provider and a local state standing in for the remote backend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from delivery_support import PROJECT_ROOT, write_stack

from mlops_tools.offline.harness import apply_stack, ensure_mirror, provider_server

pytestmark = pytest.mark.terraform

SCRIPTS = PROJECT_ROOT / ".github" / "scripts"
BASE = {"databricks_catalog": {"c": {"name": "mlops_staging", "comment": "v1"}}}
HEAD = {"databricks_catalog": {"c": {"name": "mlops_staging", "comment": "v2"}},
        "databricks_schema": {"s": {"catalog_name": "mlops_staging", "name": "features"}}}


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(ensure_mirror()), PYTHON=sys.executable, TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", PYTHONPATH=str(PROJECT_ROOT), TF_PLAN_ARGS="-lock=false",
               TF_REATTACH_PROVIDERS=provider_server().reattach)  # the offline stand-in, never installed
    return subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(offline_terraform, tmp_path) -> Path:
    """cwd with config/ naming `staging`, a synthesized head (cdktf.out) and the live state."""
    (tmp_path / "config" / "environments").mkdir(parents=True)
    (tmp_path / "config" / "environments" / "staging.yaml").write_text("# names the environment\n")
    state = tmp_path / "live.tfstate"
    assert apply_stack(write_stack(tmp_path / "base", BASE), state).ok
    stack = write_stack(tmp_path / "cdktf.out" / "stacks" / "staging", HEAD)
    doc = json.loads((stack / "cdk.tf.json").read_text())
    doc["terraform"]["backend"] = {"local": {"path": str(state)}}
    (stack / "cdk.tf.json").write_text(json.dumps(doc))
    (tmp_path / "cdktf.out" / "manifest.json").write_text(json.dumps(
        {"stacks": {"staging": {"workingDirectory": "stacks/staging", "dependencies": []}}}))
    return tmp_path


def _resources(state: Path) -> set[str]:
    return {f"{r['type']}.{r['name']}" for r in json.loads(state.read_text())["resources"]}


def test_the_saved_plan_is_applied_and_a_stale_plan_says_rerun(project):
    planned = _run("plan-stacks.sh", "staging", "cdktf.out", "plans", cwd=project)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    saved = project / "plans" / "stacks" / "staging"
    # With the real provider, init writes .terraform.lock.hcl and the script ships it along; the
    # offline stand-in is attached (TF_REATTACH_PROVIDERS), and Terraform locks no attached provider.
    assert {p.name for p in saved.iterdir()} >= {"cdk.tf.json", "tfplan"}
    assert ((saved / ".terraform.lock.hcl").exists()
            == (project / "cdktf.out" / "stacks" / "staging" / ".terraform.lock.hcl").exists())
    assert (project / "plans" / "stacks.txt").read_text().split() == ["staging"]
    plan_json = json.loads((project / "plans" / "review" / "staging.json").read_text())
    assert {rc["address"] for rc in plan_json["resource_changes"]} == {"databricks_catalog.c", "databricks_schema.s"}
    shutil.copytree(project / "plans", project / "plans-second")  # the same plan, approved twice

    applied = _run("apply-plans.sh", "plans", cwd=project)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert _resources(project / "live.tfstate") == {"databricks_catalog.c", "databricks_schema.s"}
    assert "Terraform will perform the following actions" not in applied.stdout  # applied, not re-planned

    stale = _run("apply-plans.sh", "plans-second", cwd=project)
    assert stale.returncode == 1
    assert "Saved plan is stale" in stale.stdout
    assert "::error title=Stale plan::The saved plan of stack staging is stale" in stale.stdout
    assert "Re-run this workflow" in stale.stdout


def test_a_failed_plan_leaves_its_error_for_the_review(project):
    doc_path = project / "cdktf.out" / "stacks" / "staging" / "cdk.tf.json"
    doc = json.loads(doc_path.read_text())
    doc["resource"]["databricks_catalog"]["c"]["no_such_argument"] = 1
    doc_path.write_text(json.dumps(doc))
    planned = _run("plan-stacks.sh", "staging", "cdktf.out", "plans", cwd=project)
    assert planned.returncode == 1
    assert 'named "no_such_argument"' in (project / "plans" / "review" / "staging.error.txt").read_text()
    assert not (project / "plans" / "stacks" / "staging" / "tfplan").exists()
    missing = _run("apply-plans.sh", "plans", cwd=project)
    assert missing.returncode == 1 and "no saved plan for stack staging" in missing.stdout

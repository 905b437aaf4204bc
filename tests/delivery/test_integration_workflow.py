"""The shipped integration run (.github/workflows/integration.yml + scripts/integration-target.sh):
off unless configured, never for forks, an ephemeral dev target per PR that is always destroyed,
and a gate on the jobs' real outcome (the script's `run` step is exercised against the loopback
Jobs API fake)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from delivery_support import PROJECT_ROOT
from jobs_api_fake import FAILED, JobsApiFake
from support import EXAMPLE_CONFIG

from mlops_tools.cli import _parser

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "integration.yml"
SCRIPT = PROJECT_ROOT / ".github" / "scripts" / "integration-target.sh"
TOKEN = "dapi-fake-integration-0123456789"  # pragma: allowlist secret


@pytest.fixture(scope="module")
def workflow() -> dict:
    doc = yaml.safe_load(WORKFLOW.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def test_runs_on_pull_requests_only_when_configured_and_never_for_forks(workflow):
    assert set(workflow["on"]) == {"pull_request"}  # never pull_request_target: no base secrets for forks
    job = workflow["jobs"]["integration"]
    assert "vars.MLOPS_INTEGRATION_RUN == 'true'" in job["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert job["environment"] == "test"  # the secrets live there
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert workflow["concurrency"] == {"group": "integration-run-${{ github.event.pull_request.number }}",
                                       "cancel-in-progress": False}  # a cancel would skip the destroy


def test_deploys_a_per_pr_dev_target_runs_the_jobs_and_always_destroys_it(workflow):
    env = workflow["env"]
    assert env["DEV_USER"] == "pr-${{ github.event.pull_request.number }}" and env["ENVIRONMENT"] == "test"
    assert "churn.feature_engineering churn.training" in env["JOB_KEYS"]
    steps = workflow["jobs"]["integration"]["steps"]
    runs = [s.get("run", "") for s in steps]
    deploy = next(i for i, r in enumerate(runs) if "integration-target.sh deploy" in r)
    run = next(i for i, r in enumerate(runs) if "integration-target.sh run" in r)
    destroy = next(i for i, r in enumerate(runs) if "integration-target.sh destroy" in r)
    assert deploy < run < destroy == len(steps) - 1
    assert steps[deploy]["id"] == "deploy"
    assert "always()" in steps[destroy]["if"] and "steps.deploy.outcome != 'skipped'" in steps[destroy]["if"]
    assert 'exit "$code"' in runs[run] and "PIPESTATUS[0]" in runs[run]  # the run's outcome gates the job
    assert "GITHUB_STEP_SUMMARY" in runs[run]


def test_the_script_synthesizes_the_dev_target_and_applies_and_destroys_only_it():
    script = SCRIPT.read_text()
    assert '"${mlops[@]}" synth --dev-user "$dev_user" --env "$environment" --outdir "$outdir"' in script
    assert 'apply -input=false -no-color -auto-approve' in script
    assert 'destroy -input=false -no-color -auto-approve' in script
    assert "for ((i = ${#stacks[@]} - 1; i >= 0; i--))" in script  # dependents first
    assert '"${mlops[@]}" run "$key" --env "$environment" --dev-user "$dev_user" --wait' in script
    # every mlops command and option the script uses exists
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for command, options in re.findall(r'"\$\{mlops\[@\]\}" ([a-z-]+)([^\n|]*(?:\\\n[^\n|]*)?)', script):
        assert command in sub.choices, command
        known = set(sub.choices[command]._option_string_actions)
        used = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", options))
        assert used <= known, (command, used - known)


def test_the_default_job_keys_name_jobs_of_the_shipped_example():
    from mlops_tools.run_command import resolve_job_target
    from mlops_tools.synth import dev_user_target, load

    platform = dev_user_target(load(EXAMPLE_CONFIG), "pr-7", ["dev"])
    names = [resolve_job_target(platform, key, "dev").name for key in ("churn.feature_engineering", "churn.training")]
    assert names == ["pr-7-dev-churn-feature-engineering-job", "pr-7-dev-churn-training-job"]


@pytest.fixture
def project(tmp_path):
    """A checkout whose config has a `test` environment (a copy of dev, as docs/code-delivery.md shows)."""
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    shutil.copy(config / "environments" / "dev.yaml", config / "environments" / "test.yaml")
    text = (config / "environments" / "test.yaml").read_text().replace("  profile: mlops-dev\n", "")
    (config / "environments" / "test.yaml").write_text(text.replace("name: mlops_dev", "name: mlops_test"))
    return tmp_path


def _script(project, fake, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MLOPS_", "ARM_"))}
    env.update(PYTHON=sys.executable, PYTHONPATH=str(PROJECT_ROOT), DATABRICKS_HOST=fake.host,
               DATABRICKS_TOKEN=TOKEN, RUN_POLL_INTERVAL="0.01", HOME=str(project),
               DATABRICKS_CONFIG_FILE=str(project / "none"))
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_run_step_passes_on_successful_runs_and_fails_on_a_failed_one_with_its_url(project):
    fake = JobsApiFake(token=TOKEN, jobs={"pr-7-test-churn-feature-engineering-job": 1,
                                          "pr-7-test-churn-training-job": 2}).start()
    try:
        ok = _script(project, fake, "run", "test", "pr-7", "churn.feature_engineering", "churn.training")
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert [r.body for r in fake.calls("/api/2.2/jobs/run-now")] == [{"job_id": 1}, {"job_id": 2}]
        fake.scripts[1] = FAILED
        failed = _script(project, fake, "run", "test", "pr-7", "churn.feature_engineering", "churn.training")
    finally:
        fake.stop()
    assert failed.returncode == 1
    text = failed.stdout + failed.stderr
    assert "::error title=Integration run failed::churn.feature_engineering did not succeed (exit 1)" in text
    assert f"{fake.host}/?o=" in text and "#job/1/run/" in text  # the failed run's URL
    assert [r.body for r in fake.calls("/api/2.2/jobs/run-now")][-1] == {"job_id": 1}  # training never started
    assert TOKEN not in ok.stdout + ok.stderr + text


def test_destroy_with_nothing_synthesized_is_a_no_op(project):
    proc = subprocess.run(["bash", str(SCRIPT), "destroy", "test", "pr-7", str(project / "none")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "nothing to destroy" in proc.stdout


def test_bad_usage_exits_2():
    proc = subprocess.run(["bash", str(SCRIPT), "deploy", "test"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "usage:" in proc.stderr

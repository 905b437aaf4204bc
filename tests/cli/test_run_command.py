"""`mlops run JOB_KEY --env E [--wait]` against a loopback fake of the Jobs API (no network):
the job's name comes from config, the SDK's real calls trigger and poll it, and the exit code
is the run's outcome. No credential ever appears in the output."""

from __future__ import annotations

import pytest
from jobs_api_fake import CANCELED, FAILED, FOREVER, HOST_METADATA, WORKSPACE_ID, JobsApiFake
from support import EXAMPLE_CONFIG

from mlops_tools.cli import main

TOKEN = "dapi-fake-0123456789abcdef"  # pragma: allowlist secret
TRAINING = "dev-churn-training-job"


@pytest.fixture
def fake(monkeypatch, tmp_path):
    import os

    for name in [n for n in os.environ if n.startswith(("DATABRICKS_", "ARM_", "ACTIONS_ID_TOKEN"))]:
        monkeypatch.delenv(name, raising=False)  # only the fake's host and token below
    monkeypatch.delenv("MLOPS_DEV_USER", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.databrickscfg of the machine
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))
    api = JobsApiFake(token=TOKEN, jobs={TRAINING: 11, "dev-churn-feature-engineering-job": 12,
                                         "alice-dev-churn-training-job": 21}).start()
    monkeypatch.setenv("DATABRICKS_HOST", api.host)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    yield api
    api.stop()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["run", "--config", str(EXAMPLE_CONFIG), "--poll-interval", "0.01", *args])
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return code, out, err


def test_wait_for_a_successful_run(fake, capsys):
    code, out, err = run(capsys, "churn.training", "--env", "dev", "--wait")
    assert code == 0, err
    assert [(r.method, r.path) for r in fake.requests] == (
        [("GET", HOST_METADATA), ("GET", "/api/2.2/jobs/list"), ("POST", "/api/2.2/jobs/run-now")]
        + [("GET", "/api/2.2/jobs/runs/get")] * 3)
    assert fake.calls("/api/2.2/jobs/list")[0].query["name"] == [TRAINING]
    assert fake.calls("/api/2.2/jobs/run-now")[0].body == {"job_id": 11}
    assert all(r.query["run_id"] == ["1001"] for r in fake.calls("/api/2.2/jobs/runs/get"))
    api = [r for r in fake.requests if r.path.startswith("/api/")]
    assert all(r.authorization == f"Bearer {TOKEN}" and r.workspace_id == WORKSPACE_ID for r in api)
    url = f"{fake.host}/?o={WORKSPACE_ID}#job/11/run/1001"
    assert f"started run 1001 of {TRAINING} (job 11): {url}" in out
    assert "run 1001: PENDING" in out and "run 1001: RUNNING" in out
    assert f"run 1001 of {TRAINING} succeeded: {url}" in out


def test_without_wait_the_run_is_only_started(fake, capsys):
    code, out, _ = run(capsys, "churn.feature-engineering", "--env", "dev")
    assert code == 0
    assert fake.calls("/api/2.2/jobs/run-now")[0].body == {"job_id": 12}
    assert len(fake.calls("/api/2.2/jobs/runs/get")) == 1 and "started run 1001" in out


@pytest.mark.parametrize("script, result", [(FAILED, "FAILED"), (CANCELED, "CANCELED")])
def test_a_failed_or_cancelled_run_exits_1_with_its_url(fake, capsys, script, result):
    fake.scripts[11] = script
    code, out, err = run(capsys, "churn.training", "--env", "dev", "--wait")
    assert code == 1
    assert f"error: run 1001 of {TRAINING} ended {result}" in err
    assert f"{fake.host}/?o={WORKSPACE_ID}#job/11/run/1001" in err.splitlines()[-1]
    assert "succeeded" not in out
    if result == "FAILED":
        assert "Task training failed with message: boom" in err


def test_a_run_still_going_at_the_timeout_exits_1_with_its_url(fake, capsys):
    fake.scripts[11] = FOREVER
    code, _, err = run(capsys, "churn.training", "--env", "dev", "--wait", "--timeout", "0.2")
    assert code == 1
    assert "did not finish within 0.2 s (still RUNNING)" in err
    assert f"{fake.host}/?o={WORKSPACE_ID}#job/11/run/1001" in err
    assert len(fake.calls("/api/2.2/jobs/runs/get")) >= 2  # it polled, then gave up


def test_a_job_that_is_not_deployed_is_bad_input(fake, capsys):
    del fake.jobs[TRAINING]
    code, _, err = run(capsys, "churn.training", "--env", "dev", "--wait")
    assert code == 2 and f"no job named '{TRAINING}' in the workspace" in err
    assert not fake.calls("/api/2.2/jobs/run-now")


def test_two_jobs_of_one_name_are_bad_input_unless_an_id_is_given(fake, capsys):
    fake.extra_jobs.append((99, TRAINING))
    code, _, err = run(capsys, "churn.training", "--env", "dev")
    assert code == 2 and "2 jobs are named" in err and "--job-id" in err
    code, _, _ = run(capsys, "churn.training", "--env", "dev", "--job-id", "99")
    assert code == 0 and fake.calls("/api/2.2/jobs/run-now")[-1].body == {"job_id": 99}


def test_a_case_insensitive_match_of_another_job_is_not_taken(fake, capsys):
    del fake.jobs[TRAINING]
    fake.extra_jobs.append((98, TRAINING.upper()))  # jobs/list filters case-insensitively
    code, _, err = run(capsys, "churn.training", "--env", "dev")
    assert code == 2 and "no job named" in err


@pytest.mark.parametrize("args, message", [
    (("churn.nope", "--env", "dev"), "unknown job key 'churn.nope' in environment 'dev'"),
    (("other.training", "--env", "dev"), "unknown job key 'other.training'"),
    (("churn.training", "--env", "qa"), "unknown environment 'qa'"),
    (("churn.training", "--env", "prod", "--dev-user", "alice"), "environment 'prod' is deployed by CI"),
    (("churn.training", "--env", "dev", "--dev-user", "Jane.Doe"), "dev user 'Jane.Doe' is not a valid name"),
    (("churn.training", "--env", "dev", "--wait", "--timeout", "0"), "must be positive"),
])
def test_bad_input_exits_2_before_any_call(fake, capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err, err
    assert not fake.requests
    if "unknown job key" in message:
        assert "churn.training" in err and "churn.feature_engineering" in err  # the keys that exist


def test_the_dev_users_job_is_run(fake, capsys, monkeypatch):
    monkeypatch.setenv("MLOPS_DEV_USER", "alice")
    code, out, _ = run(capsys, "churn.training", "--env", "dev")
    assert code == 0 and fake.calls("/api/2.2/jobs/list")[0].query["name"] == ["alice-dev-churn-training-job"]
    assert fake.calls("/api/2.2/jobs/run-now")[0].body == {"job_id": 21}


def test_no_credentials_is_bad_input_and_no_api_is_called(fake, capsys, monkeypatch):
    monkeypatch.delenv("DATABRICKS_TOKEN")  # the host (the fake) stays: the SDK's probe of it answers
    code, _, err = run(capsys, "churn.training", "--env", "dev")
    assert code == 2 and "no Databricks credentials" in err and "DATABRICKS_TOKEN" in err
    assert "Traceback" not in err
    assert not [r for r in fake.requests if r.path.startswith("/api/")]


def test_refused_credentials_are_bad_input_and_never_echoed(fake, capsys, monkeypatch):
    wrong = "dapi-wrong-fedcba9876543210"  # pragma: allowlist secret
    monkeypatch.setenv("DATABRICKS_TOKEN", wrong)
    code, out, err = run(capsys, "churn.training", "--env", "dev", "--wait")
    assert code == 2 and "refused the credentials" in err and "Invalid access token" in err
    assert wrong not in out + err
    assert fake.calls("/api/2.2/jobs/list")[0].authorization == f"Bearer {wrong}"


def test_a_workspace_that_stops_answering_is_a_failed_check_not_a_traceback(fake, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("DATABRICKS_HOST", dead)
    monkeypatch.setattr("mlops_tools.run_command.API_RETRY_SECONDS", 1)
    code, _, err = run(capsys, "churn.training", "--env", "dev", "--job-id", "11")
    assert code == 1 and "cannot reach the workspace" in err and "Traceback" not in err

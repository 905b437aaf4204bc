"""jobs: config — defaults, resolution and every user-facing rule (file:line key: message).

Each case writes a small extra project next to the shipped one in a copy of config/."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from platform_config import ConfigError, load_platform
from platform_config.jobs import JobsConfig

HEADER = """\
name: jt
owner: jt@example.com
roles:
  two_sps:
    service_principals: [11111111-1111-1111-1111-111111111111, 22222222-2222-2222-2222-222222222222]
  one_sp:
    service_principals: [33333333-3333-3333-3333-333333333333]
  one_user:
    users: [someone@example.com]
"""


#: staging and prod set require_job_run_as.
RUN_AS_OUTSIDE_DEV = "environments:\n  staging: {jobs: {run_as: one_sp}}\n  prod: {jobs: {run_as: one_sp}}\n"


def write_project(config: Path, jobs: str, extra: str = "") -> Path:
    path = config / "projects" / "jt.yaml"
    path.write_text(HEADER + "jobs:\n" + textwrap.indent(textwrap.dedent(jobs), "  ") + extra)
    return path


def problems(config: Path) -> list:
    with pytest.raises(ConfigError) as info:
        load_platform(config)
    return [p for p in info.value.problems if p.file.endswith("jt.yaml")]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_example_loads_with_every_job_type():
    platform = load_platform(Path(__file__).resolve().parents[2] / "config")
    for env, targets in platform.targets.items():
        churn = next(t for t in targets if t.project.name == "churn")
        assert [k for k, _ in churn.project.jobs.enabled_jobs()] == [
            "feature_engineering", "training", "batch_inference", "retraining"], env


def test_minimal_jobs_resolve_to_documented_defaults(config_copy):
    write_project(config_copy, """\
        workspace_root: /Workspace/Shared/jt
        training: {}
    """, extra=RUN_AS_OUTSIDE_DEV)
    target = next(t for t in load_platform(config_copy).targets["dev"] if t.project.name == "jt")
    jobs = target.project.jobs
    s = jobs.resolve(jobs.training)
    assert (s.max_concurrent_runs, s.queue, s.permissions, s.run_as, s.health) == (1, True, {}, None, {})
    assert s.compute_name == "default" and s.compute.cluster is not None
    assert jobs.timezone == "UTC"
    assert jobs.training.validation.mode == "enabled"
    assert jobs.training.tasks.train.notebook == "training/notebooks/Train"


def test_job_keys_override_shared_ones():
    jobs = JobsConfig.model_validate({
        "workspace_root": "/Workspace/x", "max_retries": 2, "timeout_seconds": 60, "tags": {"a": "1", "b": "1"},
        "compute": {"small": {"serverless": {}}, "big": {"cluster": {"num_workers": 4}}, "default": {"serverless": {}}},
        "training": {"max_retries": 0, "compute": "big", "tags": {"b": "2"}},
        "batch_inference": {"input_table": "x"},
    })
    t = jobs.resolve(jobs.training)
    b = jobs.resolve(jobs.batch_inference)
    assert (t.max_retries, t.timeout_seconds, t.compute_name, t.tags) == (0, 60, "big", {"a": "1", "b": "2"})
    assert (b.max_retries, b.compute_name) == (2, "default")


def test_single_profile_is_the_default():
    jobs = JobsConfig.model_validate({"compute": {"only": {"serverless": {}}}, "training": {}})
    assert jobs.resolve(jobs.training).compute_name == "only"


# (description, jobs yaml, key, message fragment, line needle)
CASES = [
    ("bad cron", """\
        workspace_root: /w
        training:
          schedule: {cron: "0 6 * * *"}
     """, "jobs.training.schedule.cron", "invalid Quartz cron expression '0 6 * * *'", "cron:"),
    ("cron both day fields", """\
        workspace_root: /w
        training:
          schedule: {cron: "0 0 6 * * MON"}
     """, "jobs.training.schedule.cron", "exactly one of day-of-month and day-of-week must be '?'", "cron:"),
    ("bad timezone", """\
        workspace_root: /w
        training:
          schedule: {cron: "0 0 6 * * ?", timezone: Berlin}
     """, "jobs.training.schedule.timezone", "unknown time zone 'Berlin'", "timezone"),
    ("schedule and trigger", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          schedule: {cron: "0 0 6 * * ?"}
          trigger: {periodic: {interval: 1, unit: DAYS}}
     """, "jobs.batch_inference", "set at most one of schedule, trigger or continuous; got schedule, trigger",
     "batch_inference:"),
    ("schedule and continuous", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          schedule: {cron: "0 0 6 * * ?"}
          continuous: {}
     """, "jobs.batch_inference", "got schedule, continuous", "batch_inference:"),
    ("trigger and continuous", """\
        workspace_root: /w
        feature_engineering:
          tables: {t: {}}
          trigger: {periodic: {interval: 1, unit: DAYS}}
          continuous: {}
     """, "jobs.feature_engineering", "got trigger, continuous", "feature_engineering:"),
    ("trigger with two kinds", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          trigger:
            periodic: {interval: 1, unit: DAYS}
            file_arrival: {url: "s3://bucket/in/"}
     """, "jobs.batch_inference.trigger", "exactly one of table_update, file_arrival or periodic", "trigger:"),
    ("file arrival without slash", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          trigger: {file_arrival: {url: "s3://bucket/in"}}
     """, "jobs.batch_inference.trigger.file_arrival.url", "must end with '/'", "file_arrival"),
    ("table update too frequent", """\
        workspace_root: /w
        feature_engineering:
          tables: {t: {}}
          trigger: {table_update: {tables: [a.b], min_time_between_triggers_seconds: 30}}
     """, "jobs.feature_engineering.trigger.table_update.min_time_between_triggers_seconds",
     "greater than or equal to 60", "table_update"),
    ("continuous on training", """\
        workspace_root: /w
        training:
          continuous: {}
     """, "jobs.training.continuous", "only valid for feature_engineering and batch_inference", "continuous:"),
    ("continuous with concurrency", """\
        workspace_root: /w
        max_concurrent_runs: 3
        batch_inference:
          input_table: x
          continuous: {}
     """, "jobs.max_concurrent_runs", "max_concurrent_runs must be 1", "max_concurrent_runs"),
    ("run_as a group", """\
        workspace_root: /w
        run_as: readers
        training: {}
     """, "jobs.run_as", "run_as role 'readers' must stand for exactly one service principal or user in this "
                         "environment, but it is: analysts (group)", "run_as: readers"),
    ("run_as two service principals", """\
        workspace_root: /w
        training:
          run_as: two_sps
     """, "jobs.training.run_as", "but it is: 11111111-1111-1111-1111-111111111111 (service principal), "
                                  "22222222-2222-2222-2222-222222222222 (service principal)", "run_as: two_sps"),
    ("run_as unknown role", """\
        workspace_root: /w
        run_as: ghosts
        training: {}
     """, "jobs.run_as", "unknown role 'ghosts'", "run_as: ghosts"),
    ("two owners", """\
        workspace_root: /w
        permissions: {one_sp: IS_OWNER, one_user: IS_OWNER}
        training: {}
     """, "jobs.permissions", "a job has exactly one owner, but IS_OWNER is given to one_sp, one_user",
     "permissions:"),
    ("group owner", """\
        workspace_root: /w
        training:
          permissions: {readers: IS_OWNER}
     """, "jobs.training.permissions.readers", "a job cannot be owned by a group", "permissions:"),
    ("bad permission level", """\
        workspace_root: /w
        permissions: {readers: CAN_READ}
        training: {}
     """, "jobs.permissions.readers", "'CAN_READ'", "permissions:"),
    ("unknown destination name", """\
        workspace_root: /w
        notifications:
          on_failure: {destinations: [oncall-slack]}
        training: {}
     """, "jobs.notifications.on_failure.destinations[0]", "unknown notification destination 'oncall-slack'",
     "destinations"),
    ("e-mail as destination", """\
        workspace_root: /w
        notifications:
          on_failure: {destinations: [a@example.com]}
        training: {}
     """, "jobs.notifications.on_failure.destinations", "not a notification destination", "destinations"),
    ("four webhooks", """\
        workspace_root: /w
        notifications:
          on_failure:
            destinations: [11111111-1111-1111-1111-111111111111, 11111111-1111-1111-1111-111111111112,
                           11111111-1111-1111-1111-111111111113, 11111111-1111-1111-1111-111111111114]
        training: {}
     """, "jobs.notifications.on_failure.destinations", "at most 3 notification destinations, got 4", "destinations"),
    ("bad email", """\
        workspace_root: /w
        notifications: {on_failure: {emails: [nobody]}}
        training: {}
     """, "jobs.notifications.on_failure.emails", "not an e-mail address: nobody", "notifications"),
    ("duration warning without health rule", """\
        workspace_root: /w
        notifications: {on_duration_warning_threshold_exceeded: {emails: [a@example.com]}}
        training: {}
     """, "jobs.notifications.on_duration_warning_threshold_exceeded", "no RUN_DURATION_SECONDS health rule",
     "notifications"),
    ("unknown health metric", """\
        workspace_root: /w
        health: {RUN_SECONDS: 10}
        training: {}
     """, "jobs.health.RUN_SECONDS", "'RUN_SECONDS'", "health"),
    ("git branch and tag", """\
        git_source: {url: "https://github.com/o/r", branch: main, tag: v1}
        training: {}
     """, "jobs.git_source", "set exactly one of branch, tag or commit (got branch, tag); an environment "
                             "override that pins a tag or commit must also set `branch: null`", "git_source"),
    ("git provider not detectable", """\
        git_source: {url: "https://git.example.com/o/r", branch: main}
        training: {}
     """, "jobs.git_source", "provider is required for this host", "git_source"),
    ("git over ssh", """\
        git_source: {url: "git@github.com:o/r.git", branch: main}
        training: {}
     """, "jobs.git_source.url", "https:// URL", "git_source"),
    ("relative path without source", """\
        batch_inference:
          input_table: x
          task: {notebook: notebooks/Score}
     """, "jobs.batch_inference.task", "relative path 'notebooks/Score' needs jobs.git_source", "notebook:"),
    ("two code kinds", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          task: {notebook: a, python_script: b.py}
     """, "jobs.batch_inference.task", "set exactly one of notebook, python_script or python_wheel; got notebook, "
                                       "python_script", "task:"),
    ("reserved parameter", """\
        workspace_root: /w
        batch_inference:
          input_table: x
          task: {notebook: a, parameters: {model_name: other}}
     """, "jobs.batch_inference.task.parameters", "model_name set by the platform", "parameters"),
    ("bad parameter name", """\
        workspace_root: /w
        training:
          parameters: {"bad name": x}
     """, "jobs.training.parameters", "parameter names may only contain", "parameters"),
    ("unknown compute profile", """\
        workspace_root: /w
        compute: {small: {serverless: {}}, big: {cluster: {}}}
        training:
          compute: huge
     """, "jobs.training.compute", "unknown compute profile 'huge' (jobs.compute: big, small)", "compute: huge"),
    ("profile with cluster and serverless", """\
        workspace_root: /w
        compute: {default: {cluster: {}, serverless: {}}}
        training: {}
     """, "jobs.compute.default", "set exactly one of cluster or serverless", "compute:"),
    ("num_workers and autoscale", """\
        workspace_root: /w
        compute:
          default:
            cluster: {num_workers: 2, autoscale: {min_workers: 1, max_workers: 3}}
        training: {}
     """, "jobs.compute.default.cluster", "set num_workers (fixed size) or autoscale, not both", "cluster:"),
    ("autoscale order", """\
        workspace_root: /w
        compute:
          default:
            cluster: {autoscale: {min_workers: 5, max_workers: 3}}
        training: {}
     """, "jobs.compute.default.cluster.autoscale", "min_workers (5) is greater than max_workers (3)", "autoscale"),
    ("node type map without the environment's cloud", """\
        workspace_root: /w
        compute:
          default:
            cluster: {node_type: {aws: m5d.xlarge}}
        training: {}
     """, "jobs.compute.default.cluster.node_type", "no node type for this environment's cloud 'azure'",
     "node_type"),
    ("unknown cluster policy", """\
        workspace_root: /w
        compute:
          default:
            cluster: {policy: gpu}
        training: {}
     """, "jobs.compute.default.cluster.policy", "unknown cluster policy 'gpu'", "policy: gpu"),
    ("wheel file on serverless", """\
        workspace_root: /w
        compute: {default: {serverless: {}}}
        batch_inference:
          input_table: x
          task:
            python_wheel: {package_name: churn, entry_point: score, wheel: /Volumes/a/b/c/churn.whl}
     """, "jobs.batch_inference.task.python_wheel.wheel", "add the wheel to jobs.compute.default.serverless.dependencies",
     "python_wheel"),
    ("retraining without training", """\
        workspace_root: /w
        retraining:
          drift: {metric: js_distance, threshold: 0.2}
     """, "jobs.retraining", "the retraining job runs the training job", "retraining:"),
    ("retraining drift comparison", """\
        workspace_root: /w
        training: {}
        retraining:
          drift: {metric: js_distance, threshold: 0.2, comparison: equal_to}
     """, "jobs.retraining.drift.comparison", "'EQUAL_TO'", "comparison"),
    ("retraining drift without metric", """\
        workspace_root: /w
        training: {}
        retraining:
          drift: {threshold: 0.2}
     """, "jobs.retraining.drift.metric", "required key is missing", "drift:"),
    ("bad table name", """\
        workspace_root: /w
        batch_inference:
          input_table: a.b.c.d
     """, "jobs.batch_inference.input_table", "is not a table name", "input_table"),
    ("feature engineering without tables", """\
        workspace_root: /w
        feature_engineering:
          tables: {}
     """, "jobs.feature_engineering.tables", "at least 1 item", "tables"),
]


@pytest.mark.parametrize("desc,jobs,key,message,needle", CASES, ids=[c[0] for c in CASES])
def test_job_config_errors(config_copy, desc, jobs, key, message, needle):
    path = write_project(config_copy, jobs)
    found = problems(config_copy)
    hits = [p for p in found if p.key == key and message in p.message]
    assert hits, f"{desc}: no problem {key}: {message!r} in:\n" + "\n".join(map(str, found))
    assert hits[0].line == line_of(path, needle), str(hits[0])
    assert str(hits[0]).startswith(f"{hits[0].file}:{hits[0].line} {key}: ")


def test_environment_override_errors_point_at_the_override(config_copy):
    path = write_project(config_copy, """\
        workspace_root: /w
        training: {}
    """, extra="environments:\n  prod:\n    jobs:\n      run_as: readers\n")
    found = [p for p in problems(config_copy) if p.key == "jobs.run_as"]
    assert len(found) == 1 and "analysts (group)" in found[0].message
    assert found[0].line == line_of(path, "run_as: readers")


def test_environment_requires_run_as(config_copy):
    """staging and prod set require_job_run_as: a job without run_as there is an error; dev is free."""
    path = write_project(config_copy, """\
        workspace_root: /w
        training: {}
        batch_inference:
          input_table: x
          run_as: one_sp
    """)
    found = [p for p in problems(config_copy) if "require_job_run_as" in p.message]
    assert [(p.key, p.line) for p in found] == [("jobs.training", line_of(path, "training:"))] * 2
    assert [p.message for p in found] == [
        f"environment '{env}' sets require_job_run_as: set run_as (for all jobs: jobs.run_as) to a role standing "
        "for one service principal" for env in ("prod", "staging")]
    # no job has one: one error at `jobs`, not one per job
    path = write_project(config_copy, """\
        workspace_root: /w
        training: {}
        batch_inference: {input_table: x}
    """, extra="environments:\n  staging: {jobs: {run_as: one_sp}}\n")
    found = [p for p in problems(config_copy) if "require_job_run_as" in p.message]
    assert [(p.key, p.line, p.message.split(" sets")[0]) for p in found] == [
        ("jobs", line_of(path, "jobs:"), "environment 'prod'")]


def test_run_as_a_single_user_or_service_principal_is_fine(config_copy):
    write_project(config_copy, """\
        workspace_root: /w
        run_as: one_sp
        permissions: {one_user: IS_OWNER, readers: CAN_VIEW}
        training:
          run_as: one_user
    """)
    load_platform(config_copy)


def test_environment_cluster_policy_rules(config_copy):
    env = config_copy / "environments" / "dev.yaml"
    text = env.read_text()
    env.write_text(text.replace("  default_policy: ml-jobs\n", "  default_policy: nope\n"))
    with pytest.raises(ConfigError) as info:
        load_platform(config_copy)
    messages = {(p.key, p.message) for p in info.value.problems if p.file.endswith("dev.yaml")}
    assert ("compute.default_policy", "'nope' is not in cluster_policies (known: ml-jobs)") in messages
    env.write_text(text.replace("      description: Small job clusters for ML development\n",
                                "      description: Small job clusters for ML development\n      id: ABC\n"))
    with pytest.raises(ConfigError) as info:
        load_platform(config_copy)
    messages = {(p.key, p.message) for p in info.value.problems if p.file.endswith("dev.yaml")}
    assert any(k == "compute.cluster_policies.ml-jobs" and "set exactly one of id" in m for k, m in messages)


def test_bad_iac_commit_is_a_config_error(config_copy, monkeypatch):
    monkeypatch.setenv("MLOPS_IAC_COMMIT", "not a sha")
    with pytest.raises(ConfigError) as info:
        load_platform(config_copy)
    assert any("MLOPS_IAC_COMMIT" in p.file and "7-40 hex digits" in p.message for p in info.value.problems)


def test_iac_commit_is_opt_in(config_copy, monkeypatch):
    monkeypatch.delenv("MLOPS_IAC_COMMIT", raising=False)
    assert all(t.iac_commit is None for ts in load_platform(config_copy).targets.values() for t in ts)
    monkeypatch.setenv("MLOPS_IAC_COMMIT", "0123abc")
    assert all(t.iac_commit == "0123abc" for ts in load_platform(config_copy).targets.values() for t in ts)

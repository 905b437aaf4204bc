"""MlJob: every option on the synthesized JSON, sorted output, and prop validation."""

from __future__ import annotations

from dataclasses import replace

import cdktf
import pytest

from mlops_constructs.job import (ConditionCode, ContinuousSpec, DependencySpec, GitSourceSpec, JobClusterSpec, MlJob,
                                  MlJobProps, NotebookCode, NotificationsSpec, PythonScriptCode, PythonWheelCode,
                                  RetrySpec, RunJobCode, ScheduleSpec, ServerlessEnvSpec, TargetsSpec, TaskSpec,
                                  TriggerSpec)
from mlops_constructs.principal import Principal

SP = Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name")
HOOK = "5d3c2b1a-9f8e-4d7c-8b6a-1e2f3a4b5c6d"
HOOK2 = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

CLUSTER = MlJobProps(
    name="dev-x-job",
    description="cluster job",
    # deliberately unsorted: the JSON must come out sorted
    tasks=(
        TaskSpec(key="c_wheel", action=PythonWheelCode(package_name="pkg", entry_point="main",
                                                       wheel="/Volumes/a/b/c/pkg.whl",
                                                       parameters={"z": "1", "a": "2"}),
                 depends_on=("b_script", "a_nb"), compute_key="main"),
        TaskSpec(key="a_nb", action=NotebookCode(path="nb/Train", parameters={"b": "1", "a": "2"}),
                 compute_key="main", max_retries=3),
        TaskSpec(key="b_script", action=PythonScriptCode(path="/Workspace/x/run.py", parameters={"k": "v", "e": "f"}),
                 compute_key="main", depends_on=("a_nb",)),
    ),
    job_clusters=(JobClusterSpec(key="main", spark_version="15.4.x-cpu-ml-scala2.12", node_type_id="Standard_D4ds_v5",
                                 autoscale=(1, 4), custom_tags={"z": "1", "a": "2"}, policy_id="POLICY1",
                                 spark_conf={"spark.x": "1"}),),
    git_source=GitSourceSpec(url="https://github.com/o/r", provider="gitHub", tag="v1.0.0"),
    schedule=ScheduleSpec(cron="0 0 6 * * ?", timezone="Europe/Berlin", paused=True),
    notifications=NotificationsSpec(
        on_failure=TargetsSpec(emails=("b@example.com", "a@example.com"), destinations=(HOOK, HOOK2)),
        on_start=TargetsSpec(emails=("s@example.com",), destinations=(HOOK2,)),
        on_success=TargetsSpec(emails=("ok@example.com",), destinations=(HOOK,)),
        on_duration_warning_threshold_exceeded=TargetsSpec(emails=("d@example.com",), destinations=(HOOK,)),
        no_alert_for_canceled_runs=True),
    health={"RUN_DURATION_SECONDS": 3600},
    timeout_seconds=600,
    max_concurrent_runs=2,
    queue=False,
    edit_mode="UI_LOCKED",
    run_as=SP,
    permissions={Principal("readers"): "CAN_VIEW", Principal("eng"): "CAN_MANAGE_RUN",
                 Principal("owner@example.com", "user_name"): "IS_OWNER"},
    tags={"project": "x", "environment": "dev"},
    retries=RetrySpec(max_retries=1, min_retry_interval_millis=1000, retry_on_timeout=True),
)

SERVERLESS = MlJobProps(
    name="dev-y-job",
    tasks=(
        TaskSpec(key="script", action=PythonScriptCode(path="/Workspace/y/run.py"), compute_key="env"),
        TaskSpec(key="notebook", action=NotebookCode(path="/Workspace/y/nb"), compute_key="env"),
        TaskSpec(key="wheel", action=PythonWheelCode(package_name="pkg", entry_point="run",
                                                     parameters={"b": "1", "a": "2"}), compute_key="env"),
        TaskSpec(key="check", action=ConditionCode(left="{{tasks.script.values.v}}", op="GREATER_THAN", right="1"),
                 depends_on=("script",)),
        TaskSpec(key="run", action=RunJobCode(job_id="123"), depends_on=(DependencySpec("check", "true"),)),
    ),
    environments=(ServerlessEnvSpec(key="env", dependencies=("mlflow-skinny",)),),
    trigger=TriggerSpec(table_update=("c.s.b", "c.s.a"), min_time_between_triggers_seconds=60),
)

CONTINUOUS = MlJobProps(name="c", tasks=(TaskSpec(key="t", action=NotebookCode(path="/n")),),
                        continuous=ContinuousSpec(paused=True, task_retry_mode="ON_FAILURE"))
FILE = MlJobProps(name="f", tasks=(TaskSpec(key="t", action=NotebookCode(path="/n")),),
                  trigger=TriggerSpec(file_arrival_url="s3://b/in/", wait_after_last_change_seconds=120))
PERIODIC = MlJobProps(name="p", tasks=(TaskSpec(key="t", action=NotebookCode(path="/n")),),
                      trigger=TriggerSpec(periodic=(2, "HOURS"), paused=True))


@pytest.fixture(scope="module")
def jobs(synth_construct):
    def build(stack):
        for name, props in (("cluster", CLUSTER), ("serverless", SERVERLESS), ("continuous", CONTINUOUS),
                            ("file", FILE), ("periodic", PERIODIC)):
            MlJob(stack, name, props)
    doc = synth_construct(build)
    res = doc["resource"]
    by_name = {j["name"]: j for j in res["databricks_job"].values()}
    return by_name, res["databricks_permissions"]


def test_tasks_and_dependencies_are_sorted(jobs):
    job = jobs[0]["dev-x-job"]
    assert [t["task_key"] for t in job["task"]] == ["a_nb", "b_script", "c_wheel"]
    wheel = job["task"][2]
    assert [d["task_key"] for d in wheel["depends_on"]] == ["a_nb", "b_script"]


def test_task_kinds_and_parameters(jobs):
    a, b, c = jobs[0]["dev-x-job"]["task"]
    assert a["notebook_task"] == {"notebook_path": "nb/Train", "source": "GIT", "base_parameters": {"a": "2", "b": "1"}}
    assert list(a["notebook_task"]["base_parameters"]) == ["a", "b"]
    assert b["spark_python_task"] == {"python_file": "/Workspace/x/run.py", "source": "WORKSPACE",
                                      "parameters": ["--e=f", "--k=v"]}
    assert c["python_wheel_task"] == {"package_name": "pkg", "entry_point": "main",
                                      "named_parameters": {"a": "2", "z": "1"}}
    assert c["library"] == [{"whl": "/Volumes/a/b/c/pkg.whl"}]


def test_shared_job_cluster(jobs):
    job = jobs[0]["dev-x-job"]
    assert {t["job_cluster_key"] for t in job["task"]} == {"main"}
    cluster = job["job_cluster"][0]
    assert cluster["job_cluster_key"] == "main"
    assert cluster["new_cluster"] == {
        "spark_version": "15.4.x-cpu-ml-scala2.12", "node_type_id": "Standard_D4ds_v5",
        "autoscale": {"min_workers": 1, "max_workers": 4}, "data_security_mode": "SINGLE_USER",
        "custom_tags": {"a": "2", "z": "1"}, "spark_conf": {"spark.x": "1"},
        "policy_id": "POLICY1", "apply_policy_default_values": True}


def test_retries_default_from_job_and_task_overrides(jobs):
    a, b, _ = jobs[0]["dev-x-job"]["task"]
    assert (a["max_retries"], b["max_retries"]) == (3, 1)
    assert b["min_retry_interval_millis"] == 1000 and b["retry_on_timeout"] is True


def test_job_level_settings(jobs):
    job = jobs[0]["dev-x-job"]
    assert job["git_source"] == {"url": "https://github.com/o/r", "provider": "gitHub", "tag": "v1.0.0"}
    assert job["schedule"] == {"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "Europe/Berlin",
                               "pause_status": "PAUSED"}
    assert (job["timeout_seconds"], job["max_concurrent_runs"], job["queue"], job["edit_mode"]) == (
        600, 2, {"enabled": False}, "UI_LOCKED")
    assert job["health"] == {"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 3600}]}
    assert job["run_as"] == {"service_principal_name": SP.name}
    assert job["tags"] == {"environment": "dev", "project": "x"}


def test_notifications(jobs):
    job = jobs[0]["dev-x-job"]
    assert job["email_notifications"] == {"on_failure": ["a@example.com", "b@example.com"],
                                          "on_start": ["s@example.com"], "on_success": ["ok@example.com"],
                                          "on_duration_warning_threshold_exceeded": ["d@example.com"]}
    assert job["webhook_notifications"] == {
        "on_failure": [{"id": HOOK2}, {"id": HOOK}],  # sorted by id
        "on_start": [{"id": HOOK2}], "on_success": [{"id": HOOK}],
        "on_duration_warning_threshold_exceeded": [{"id": HOOK}]}
    assert job["notification_settings"] == {"no_alert_for_skipped_runs": True, "no_alert_for_canceled_runs": True}
    assert job["health"]["rules"][0]["metric"] == "RUN_DURATION_SECONDS"  # what the duration warning fires on
    for name in ("dev-y-job", "c"):
        assert not {"email_notifications", "webhook_notifications", "notification_settings"} & set(jobs[0][name])


def test_permissions_sorted_with_one_owner(jobs):
    perms = list(jobs[1].values())
    assert len(perms) == 1  # jobs without permissions get no permissions resource
    assert perms[0]["access_control"] == [
        {"group_name": "eng", "permission_level": "CAN_MANAGE_RUN"},
        {"user_name": "owner@example.com", "permission_level": "IS_OWNER"},
        {"group_name": "readers", "permission_level": "CAN_VIEW"}]
    assert perms[0]["job_id"].startswith("${databricks_job.cluster_")


def test_serverless_environment_condition_and_run_job(jobs):
    job = jobs[0]["dev-y-job"]
    assert "job_cluster" not in job
    assert job["environment"] == [{"environment_key": "env", "spec": {"environment_version": "2",
                                                                      "dependencies": ["mlflow-skinny"]}}]
    tasks = {t["task_key"]: t for t in job["task"]}
    assert list(tasks) == ["check", "notebook", "run", "script", "wheel"]
    assert tasks["script"]["environment_key"] == "env"
    assert tasks["wheel"]["environment_key"] == "env" and "library" not in tasks["wheel"]
    assert tasks["wheel"]["python_wheel_task"] == {"package_name": "pkg", "entry_point": "run",
                                                   "named_parameters": {"a": "2", "b": "1"}}
    assert "environment_key" not in tasks["notebook"]  # notebooks on serverless use notebook environments
    assert tasks["check"]["condition_task"] == {"left": "{{tasks.script.values.v}}", "op": "GREATER_THAN", "right": "1"}
    assert tasks["run"]["run_job_task"] == {"job_id": 123}
    assert tasks["run"]["depends_on"] == [{"task_key": "check", "outcome": "true"}]
    assert "max_retries" not in tasks["check"]


def test_triggers_and_continuous(jobs):
    by_name = jobs[0]
    assert by_name["dev-y-job"]["trigger"] == {"pause_status": "UNPAUSED", "table_update": {
        "table_names": ["c.s.a", "c.s.b"], "condition": "ANY_UPDATED", "min_time_between_triggers_seconds": 60}}
    assert by_name["f"]["trigger"] == {"pause_status": "UNPAUSED", "file_arrival": {
        "url": "s3://b/in/", "wait_after_last_change_seconds": 120}}
    assert by_name["p"]["trigger"] == {"pause_status": "PAUSED", "periodic": {"interval": 2, "unit": "HOURS"}}
    assert by_name["c"]["continuous"] == {"pause_status": "PAUSED", "task_retry_mode": "ON_FAILURE"}
    for name in ("c", "f", "p"):
        assert "schedule" not in by_name[name]


BAD = [
    ("no tasks", dict(tasks=()), "at least one task"),
    ("duplicate keys", dict(tasks=(TaskSpec(key="a", action=NotebookCode(path="/n")),
                                   TaskSpec(key="a", action=NotebookCode(path="/m")))), "duplicate task_key a"),
    ("unknown dependency", dict(tasks=(TaskSpec(key="a", action=NotebookCode(path="/n"), depends_on=("b",)),)),
     "depends on unknown task b"),
    ("cycle", dict(tasks=(TaskSpec(key="a", action=NotebookCode(path="/n"), depends_on=("b",)),
                          TaskSpec(key="b", action=NotebookCode(path="/n"), depends_on=("a",)))), "cycle: a -> b -> a"),
    ("outcome on non-condition", dict(tasks=(TaskSpec(key="a", action=NotebookCode(path="/n")),
                                             TaskSpec(key="b", action=NotebookCode(path="/n"),
                                                      depends_on=(DependencySpec("a", "true"),)))),
     "outcome is only valid"),
    ("bad task key", dict(tasks=(TaskSpec(key="a b", action=NotebookCode(path="/n")),)), "task_key 'a b'"),
    ("relative path without git", dict(tasks=(TaskSpec(key="a", action=NotebookCode(path="nb")),)),
     "needs git_source"),
    ("schedule and trigger", dict(schedule=ScheduleSpec(cron="0 0 6 * * ?"), trigger=TriggerSpec(periodic=(1, "DAYS"))),
     "at most one of schedule, trigger or continuous"),
    ("trigger and continuous", dict(trigger=TriggerSpec(periodic=(1, "DAYS")), continuous=ContinuousSpec()),
     "at most one of schedule, trigger or continuous; got trigger, continuous"),
    ("all three", dict(schedule=ScheduleSpec(cron="0 0 6 * * ?"), trigger=TriggerSpec(periodic=(1, "DAYS")),
                       continuous=ContinuousSpec()), "got schedule, trigger, continuous"),
    ("trigger of two kinds", dict(trigger=TriggerSpec(periodic=(1, "DAYS"), file_arrival_url="s3://b/")),
     "exactly one of table_update, file_arrival or periodic"),
    ("script without compute", dict(tasks=(TaskSpec(key="s", action=PythonScriptCode(path="/s.py")),)),
     "need a compute_key"),
    ("wheel file on serverless", dict(
        tasks=(TaskSpec(key="w", action=PythonWheelCode(package_name="p", entry_point="e", wheel="/Volumes/p.whl"),
                        compute_key="env"),),
        environments=(ServerlessEnvSpec(key="env"),)), "add the wheel to the dependencies of environment 'env'"),
    ("bad cron", dict(schedule=ScheduleSpec(cron="0 6 * * *")), "expected 6 or 7 fields"),
    ("continuous concurrency", dict(continuous=ContinuousSpec(), max_concurrent_runs=2), "max_concurrent_runs must be 1"),
    ("partial table name", dict(trigger=TriggerSpec(table_update=("s.t",))), "must be catalog.schema.table"),
    ("group run_as", dict(run_as=Principal("eng")), "run_as principal 'eng' must stand for exactly one service principal or user"),
    ("two owners", dict(permissions={Principal("a@x.com", "user_name"): "IS_OWNER", SP: "IS_OWNER"}),
     "exactly one owner"),
    ("group owner", dict(permissions={Principal("eng"): "IS_OWNER"}), "cannot be owned by a group"),
    ("bad level", dict(permissions={Principal("eng"): "CAN_READ"}), "invalid permission level"),
    ("duration warning without rule", dict(notifications=NotificationsSpec(
        on_duration_warning_threshold_exceeded=TargetsSpec(emails=("a@x.com",)))), "RUN_DURATION_SECONDS"),
    ("four webhooks", dict(notifications=NotificationsSpec(on_failure=TargetsSpec(destinations=("1", "2", "3", "4")))),
     "at most 3"),
    ("too many tags", dict(tags={f"t{i}": "v" for i in range(26)}), "at most 25 tags"),
    ("condition with compute", dict(tasks=(TaskSpec(key="c", action=ConditionCode(left="1", op="EQUAL_TO", right="1"),
                                                    compute_key="x"),)), "take no compute"),
]


@pytest.mark.parametrize("desc,change,message", BAD, ids=[b[0] for b in BAD])
def test_invalid_props(desc, change, message):
    base = MlJobProps(name="j", tasks=(TaskSpec(key="t", action=NotebookCode(path="/n")),))
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        MlJob(stack, "job", replace(base, **change))

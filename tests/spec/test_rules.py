"""Each provider rule alone: plain values in, findings out. No jsii, no pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from databricks_spec import enums, formats, permissions
from databricks_spec.rules import Finding, absolute_path, allowed, jobs, monitoring, serving, unresolved
from databricks_spec.rules import permissions as perm_rules
from databricks_spec.rules.unity_catalog import volume_storage

ROOT = Path(__file__).resolve().parents[2]


def messages(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings]


def test_spec_and_rules_load_without_jsii_or_pydantic():
    code = ("import sys, databricks_spec.rules.jobs, databricks_spec.rules.serving, "
            "databricks_spec.rules.monitoring, databricks_spec.rules.permissions, "
            "databricks_spec.rules.unity_catalog, databricks_spec.enums, databricks_spec.formats; "
            "bad = [m for m in ('jsii', 'cdktf', 'constructs', 'pydantic', 'yaml') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --------------------------------------------------------------------------- facts

def test_job_permission_order_is_one_and_owner_ranks_highest():
    assert permissions.JOB_LEVELS == ("CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER")
    assert permissions.WORKSPACE_OBJECTS["job"].levels is permissions.JOB_LEVELS
    from databricks_spec.privileges import WORKSPACE_OBJECTS
    assert WORKSPACE_OBJECTS is permissions.WORKSPACE_OBJECTS  # re-exported, not a copy


def test_every_object_type_has_its_levels_from_one_literal():
    for otype, (attribute, levels, doc) in permissions.WORKSPACE_OBJECTS.items():
        assert attribute.endswith("_id") and levels and doc.startswith("permissions, ")
        assert len(set(levels)) == len(levels)
    assert permissions.SECRET_PERMISSIONS == ("READ", "WRITE", "MANAGE")


def test_enum_sets_derive_from_their_literals():
    assert enums.HEALTH_METRICS == set(enums.values(enums.HealthMetric))
    assert enums.COMPARISONS < enums.CONDITION_OPS
    assert enums.GRANULARITIES[0] == "5 minutes" and enums.GRANULARITIES[-1] == "1 year"


@pytest.mark.parametrize("path, relative", [
    ("notebooks/Train", True),
    ("training/train.py", True),
    ("./train.py", True),
    ("/Workspace/Shared/churn/Train", False),
    ("/Repos/team/churn/Train", False),
    ("/Volumes/main/ml/code/train.py", False),
    ("/Shared/train.py", False),
    ("s3://bucket/train.py", False),
    ("s3a://bucket/train.py", False),
    ("s3:/bucket/train.py", False),
    ("gs://bucket/train.py", False),
    ("abfss://c@acct.dfs.core.windows.net/train.py", False),
    ("abfs://c@acct.dfs.core.windows.net/train.py", False),
    ("r2://bucket/train.py", False),
    ("dbfs:/FileStore/train.py", False),
    ("file:/tmp/train.py", False),
    ("wasbs://c@acct.blob.core.windows.net/train.py", False),
])
def test_relative_path_is_one_rule(path, relative):
    """Relative means: a path in the git repository (job.md: workspace paths begin with '/',
    cloud files are URIs, remote repository paths are relative)."""
    assert formats.is_relative_path(path) is relative


def test_formats():
    assert formats.is_uuid("11111111-1111-1111-1111-111111111111") and not formats.is_uuid("1111")
    assert formats.is_email("a@b.co") and not formats.is_email("nobody")
    assert formats.COMMIT_SHA.match("abc1234") and not formats.COMMIT_SHA.match("ABC1234")


def test_unresolved_tokens_are_recognised_in_python():
    assert unresolved("${TfToken[TOKEN.12]}") and unresolved("x-${TfToken[TOKEN.3]}")
    assert unresolved(["#{TfToken[TOKEN.4]}"])
    assert not unresolved("${var.x}") and not unresolved("plain") and not unresolved(3.0)
    assert not unresolved(1) and not unresolved(None)


# --------------------------------------------------------------------------- jobs

def test_run_modes():
    assert jobs.run_modes(True, False, False) == []
    (f,) = jobs.run_modes(True, True, False)
    assert str(f) == ("set at most one of schedule, trigger or continuous; got schedule, trigger "
                      "(provider docs: job, 'schedule Configuration Block')")


def test_trigger_kinds():
    assert jobs.trigger_kinds(False, True, False) == []
    assert "got none" in jobs.trigger_kinds(False, False, False)[0].message
    assert "got table_update, periodic" in jobs.trigger_kinds(True, False, True)[0].message


def test_git_ref_and_provider():
    assert jobs.git_ref("main", None, None) == []
    assert "(got branch, tag)" in jobs.git_ref("main", "v1", None)[0].message
    assert jobs.git_provider_for("https://github.com/acme/ml") == "gitHub"
    assert jobs.git_provider_for("https://acme.visualstudio.com/x") == "azureDevOpsServices"
    assert jobs.git_provider_for("https://git.acme.internal/x") is None


@pytest.mark.parametrize("path, has_source, expected", [
    ("notebooks/Score", False, ["relative path 'notebooks/Score' needs git_source"]),
    ("notebooks/Score", True, []),
    ("/Workspace/Score", False, []),
    ("file:/Score.py", False, []),
    ("abfs://c@a/Score.py", False, []),
    ("r2://b/Score.py", False, []),
])
def test_relative_path_needs_a_source(path, has_source, expected):
    found = jobs.relative_path(path, has_source)
    assert [m.split(";")[0] for m in messages(found)] == expected


def test_serverless_wheel_and_parameters():
    assert jobs.serverless_wheel("/Volumes/w.whl", False, "deps") == []
    assert jobs.serverless_wheel(None, True, "deps") == []
    assert "add the wheel to deps instead" in jobs.serverless_wheel("/Volumes/w.whl", True, "deps")[0].message
    assert jobs.parameter_names(["a.b", "c-d_1"]) == []
    assert "bad name" in jobs.parameter_names(["bad name", "ok"])[0].message


def test_task_graph():
    assert jobs.task_graph({"a": [], "b": ["a"]}) == []
    assert "at least one task" in jobs.task_graph({})[0].message
    assert "depends on unknown task c" in jobs.task_graph({"a": ["c"]})[0].message
    assert "cycle: a -> b -> a" in jobs.task_graph({"a": ["b"], "b": ["a"]})[0].message
    (f,) = jobs.task_graph({"a b": []})
    assert f.key == ("a b",) and "task_key 'a b'" in f.message
    assert "duplicate task_key a" in jobs.duplicate_keys(["a", "a", "b"])[0].message


def test_task_compute():
    keys = {"cluster", "env"}
    assert jobs.task_compute("notebook", None, keys) == []
    assert "need a compute_key" in jobs.task_compute("python_script", None, keys)[0].message
    assert "take no compute" in jobs.task_compute("condition", "cluster", keys)[0].message
    assert "unknown compute key 'gpu'" in jobs.task_compute("notebook", "gpu", keys)[0].message


def test_dependency_outcome_condition_op_run_if():
    assert jobs.dependency_outcome(None, False) == []
    assert jobs.dependency_outcome("true", True) == []
    assert "'true' or 'false'" in jobs.dependency_outcome("yes", True)[0].message
    assert "only valid" in jobs.dependency_outcome("true", False)[0].message
    assert jobs.condition_op("EQUAL_TO") == [] and jobs.condition_op("LIKE")
    assert jobs.run_if(None) == [] and jobs.run_if("ALL_DONE") == [] and jobs.run_if("SOMETIMES")


def test_continuous_and_concurrency():
    assert jobs.continuous_concurrency(1) == []
    assert "max_concurrent_runs must be 1" in jobs.continuous_concurrency(2)[0].message
    assert jobs.max_concurrent_runs(0)


def test_notifications_and_health():
    hook = "11111111-1111-1111-1111-111111111111"
    assert jobs.notification_destinations([hook]) == []
    assert "at most 3" in jobs.notification_destinations([hook] * 4)[0].message
    assert "not a notification destination id" in jobs.notification_destinations(["slack"])[0].message
    assert jobs.emails(["a@b.co"]) == [] and "nobody" in jobs.emails(["nobody"])[0].message
    assert jobs.duration_warning(True, {"RUN_DURATION_SECONDS": 60}) == []
    assert jobs.duration_warning(False, {}) == []
    assert "jobs.training has no RUN_DURATION_SECONDS" in jobs.duration_warning(True, {}, "jobs.training")[0].message
    assert "STREAMING" in jobs.health_metrics(["STREAMING"])[0].message
    assert jobs.tag_count({f"t{i}": "" for i in range(25)}) == [] and jobs.tag_count({f"t{i}": "" for i in range(26)})


def test_owner_and_run_as():
    assert jobs.one_owner({"a": "IS_OWNER", "b": "CAN_VIEW"}) == []
    (f,) = jobs.one_owner({"b": "IS_OWNER", "a": "IS_OWNER"})
    assert f.message == "a job has exactly one owner, but IS_OWNER is given to a, b"
    assert f.doc == "provider docs: permissions, 'Job usage'"
    assert jobs.owner_identity([("user_name", "a@b.co")], "role 'x'") == []
    assert "but role 'x' is: eng (group)" in jobs.owner_identity([("group_name", "eng")], "role 'x'")[0].message
    assert jobs.run_as_identity([("service_principal_name", "id")], "role 'x'") == []
    two = [("user_name", "a"), ("user_name", "b")]
    assert "but it is: a (user), b (user)" in jobs.run_as_identity(two, "role 'x'")[0].message


def test_threshold_comparison():
    assert jobs.threshold_comparison("LESS_THAN") == []
    assert "got 'EQUAL_TO'" in jobs.threshold_comparison("EQUAL_TO")[0].message


# --------------------------------------------------------------------------- permissions and privileges

def test_permission_levels():
    assert perm_rules.object_permission_levels("job", {"a": "IS_OWNER"}) == []
    (f,) = perm_rules.object_permission_levels("sql_warehouse", {"readers": "CAN_QUERY"})
    assert f.key == ("readers",)
    assert "valid: CAN_VIEW, CAN_MONITOR, CAN_USE, CAN_MANAGE, IS_OWNER" in f.message


def test_privileges():
    assert perm_rules.privileges("schema", {"r": ["USE_SCHEMA", "SELECT"]}) == []
    (f,) = perm_rules.privileges("model", {"r": ["EXECUTE", "SELECT"]})
    assert f.key == ("r", 1) and f.message.startswith("privilege SELECT not valid on a model")
    assert "at least one privilege" in perm_rules.privileges("table", {"r": []})[0].message


# --------------------------------------------------------------------------- serving

def test_served_entities_and_versions():
    assert serving.served_entity_count(1) == []
    assert "at least one" in serving.served_entity_count(0)[0].message
    assert "at most 10 entities, got 11" in serving.served_entity_count(11)[0].message
    assert serving.pending_versions({"a": None, "b": None}) == []
    (f,) = serving.pending_versions({"a": "1", "b": None})
    assert f.key == ("b", "version") and "only a whole endpoint can be pending" in f.message


def test_entity_sizing():
    assert serving.entity_sizing("Small", {}) == []
    assert serving.entity_sizing(None, {"min_provisioned_concurrency": 0, "max_provisioned_concurrency": 8}) == []
    found = messages(serving.entity_sizing("Small", {"max_provisioned_concurrency": 8}))
    assert "workload_size and max_provisioned_concurrency are mutually exclusive" in found[0]
    assert "set both min_provisioned_concurrency and max_provisioned_concurrency" in found[1]
    found = serving.entity_sizing(None, {"min_provisioned_throughput": 10, "max_provisioned_throughput": 5})
    assert found[0].key == ("min_provisioned_throughput",) and "must not exceed" in found[0].message


def test_environment_vars_take_secret_references_only():
    assert serving.environment_vars({"KEY": "{{secrets/s/k}}"}) == []
    assert serving.environment_vars({"KEY": "plain"})[0].key == ("KEY",)
    assert "not a valid environment variable name" in serving.environment_vars({"1X": "{{secrets/s/k}}"})[0].message


def test_traffic():
    assert serving.traffic(["a"], {}) == [] and serving.traffic(["a", "b"], {"a": 60, "b": 40}) == []
    assert "several entities (a, b) need a traffic split" in serving.traffic(["b", "a"], {})[0].message
    assert serving.traffic(["a", "b"], {"a": 90, "c": 10})[0].key == ("c",)
    assert "missing: b" in serving.traffic(["a", "b"], {"a": 100})[0].message
    assert "must sum to 100, got 90 (a=80, b=10)" in serving.traffic(["a", "b"], {"a": 80, "b": 10})[0].message


def test_rate_limits():
    assert serving.rate_limit("user", None, 5) == []
    assert serving.rate_limit("endpoint", "x", 5)[0].key == ("principal",)
    assert serving.rate_limit("user", None, 0)[0].key == ("calls",)
    (f,) = serving.unique_rate_limits([("user_group", "a"), ("user", None), ("user_group", "a")])
    assert f.key == (2,) and "already set at rate_limits[0]" in f.message


# --------------------------------------------------------------------------- monitoring and Unity Catalog

def test_monitoring_rules():
    assert monitoring.one_profile(["snapshot"]) == []
    assert "(found: none)" in monitoring.one_profile([])[0].message
    (f,) = monitoring.one_profile(["snapshot", "time_series"])
    assert f.key == ("snapshot",) and "found: time_series, snapshot" in f.message
    assert monitoring.granularities(["1 day", "1 hour"]) == []
    assert "at least one" in monitoring.granularities([])[0].message
    assert "unsupported granularities 2 days" in monitoring.granularities(["2 days"])[0].message
    assert "duplicate granularity: 1 day" in monitoring.granularities(["1 day", "1 day"])[0].message


def test_volume_storage_and_paths():
    assert volume_storage("MANAGED", None) == [] and volume_storage("EXTERNAL", "s3://b/v") == []
    assert "needs storage_location" in volume_storage("EXTERNAL", None)[0].message
    assert "only used for EXTERNAL" in volume_storage("MANAGED", "s3://b")[0].message
    assert "volume_type 'TEMP'" in volume_storage("TEMP", None)[0].message
    assert absolute_path("/Shared/x", "path", "/Shared/x") == []
    assert "path must be an absolute workspace path" in absolute_path("x", "path", "/Shared/x")[0].message
    assert allowed("size", None, ["Small"]) == [] and allowed("size", "Huge", ["Small"])[0].key == ("size",)


def test_finding_renders_and_moves():
    f = Finding(("b",), "bad", "provider docs: job")
    assert str(f) == "bad (provider docs: job)" and f.at("a", 0).key == ("a", 0, "b")
    d = f.to_diagnostic("x.yaml", 3, "a.b")
    assert str(d) == "x.yaml:3 a.b: bad (provider docs: job)"


def test_cluster_policy_source():
    from databricks_spec.rules.compute import policy_source

    assert policy_source(True, False, False, None) == [] and policy_source(False, True, True, 2) == []
    assert "got none" in policy_source(False, False, False, None)[0].message
    assert "got definition, policy_family_id" in policy_source(True, True, False, None)[0].message
    assert policy_source(True, False, True, None)[0].key == ("policy_family_definition_overrides",)
    assert "greater than zero" in policy_source(True, False, False, 0)[0].message

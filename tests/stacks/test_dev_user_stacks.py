"""Two developers' dev targets of the shipped example (``--dev-user``): disjoint job, endpoint
and schema names and state keys, the environment's shared objects referenced by the same
names and never created, schedules paused; each plans offline."""

from __future__ import annotations

import pytest
from support import EXAMPLE_CONFIG, Synthesized, edit_yaml, read_outdir

from mlops_tools.cli import main
from stacks.backend import cloud_workspace_name, local_state_path, state_key

#: Resource types only the environment's shared target owns (catalog, principals, policies...).
SHARED_TYPES = {"databricks_catalog", "databricks_service_principal", "databricks_secret_scope",
                "databricks_secret_acl", "databricks_cluster_policy", "databricks_sql_endpoint",
                "databricks_notification_destination", "databricks_database_instance",
                "databricks_group_member", "databricks_entitlements"}


def _synth(user: str, outdir, config=EXAMPLE_CONFIG) -> Synthesized:
    from mlops_tools.synth import synth

    synth(config, outdir, user)
    return read_outdir(outdir)


@pytest.fixture(scope="module")
def users(tmp_path_factory) -> dict[str, Synthesized]:
    root = tmp_path_factory.mktemp("dev-users")
    return {user: _synth(user, root / user) for user in ("alice", "bob")}


def _names(doc: dict, rtype: str, attr: str = "name") -> set[str]:
    return {r[attr] for r in doc.get("resource", {}).get(rtype, {}).values()}


def test_each_developer_gets_project_stacks_with_a_state_of_their_own(users):
    assert {u: sorted(s.stacks) for u, s in users.items()} == {"alice": ["dev-churn"], "bob": ["dev-churn"]}
    import json

    index = json.loads((users["alice"].outdir / "stacks.json").read_text())
    assert index["stacks"]["dev-churn"]["dev_user"] == "alice" and not index["stacks"]["dev-churn"]["holds_platform"]
    backends = {u: s.stacks["dev-churn"]["terraform"]["backend"] for u, s in users.items()}
    assert backends == {"alice": {"local": {"path": "terraform.dev-churn.dev-users.alice.tfstate"}},
                        "bob": {"local": {"path": "terraform.dev-churn.dev-users.bob.tfstate"}}}


def test_two_developers_never_name_the_same_object_and_not_the_shared_targets(users, example):
    alice, bob, shared = users["alice"].stacks["dev-churn"], users["bob"].stacks["dev-churn"], example.stacks["dev"]
    for rtype, attr in (("databricks_job", "name"), ("databricks_pipeline", "name"),
                        ("databricks_model_serving", "name"), ("databricks_schema", "name"),
                        ("databricks_mlflow_experiment", "name"), ("databricks_repo", "path"),
                        ("databricks_dashboard", "display_name"), ("databricks_alert", "display_name"),
                        ("databricks_quality_monitor", "table_name")):
        a, b, s = _names(alice, rtype, attr), _names(bob, rtype, attr), _names(shared, rtype, attr)
        assert a and len(a) == len(b) == len(s), rtype
        assert not a & b and not a & s and not b & s, rtype
    assert "alice-dev-churn-training-job" in _names(alice, "databricks_job")
    assert "bob_churn_features" in _names(bob, "databricks_schema")
    # the same resource addresses: a developer's plan reads like the shared one
    assert set(alice["resource"]["databricks_job"]) == set(shared["resource"]["databricks_job"])


def test_shared_unity_catalog_and_environment_objects_are_referenced_identically_never_created(users):
    docs = [s.stacks["dev-churn"] for s in users.values()]
    for doc in docs:
        assert not SHARED_TYPES & set(doc["resource"]), SHARED_TYPES & set(doc["resource"])
        assert {r["catalog_name"] for r in doc["resource"]["databricks_schema"].values()} == {"mlops_dev"}
    alice, bob = docs
    assert alice["data"] == bob["data"]  # the same lookups of the same shared objects
    looked_up = {r.get("name") or r.get("display_name") for t in alice["data"].values() for r in t.values()}
    assert {"dev-ml-jobs", "dev-default-warehouse", "dev-jobs_runner"} <= looked_up


def test_a_dev_target_is_disposable(users, example):
    schemas = users["alice"].resources("dev-churn", "databricks_schema")
    assert schemas and all(s["force_destroy"] is True for s in schemas.values())  # with the jobs' tables
    assert all("force_destroy" not in s for s in example.resources("dev", "databricks_schema").values())
    for doc in (users["alice"].stacks["dev-churn"],):
        assert not [r for t in doc["resource"].values() for r in t.values()
                    if r.get("lifecycle", {}).get("prevent_destroy")]


def test_schedules_are_paused_and_every_job_is_tagged_with_its_developer(users):
    jobs = users["alice"].resources("dev-churn", "databricks_job")
    scheduled = [j for j in jobs.values() if "schedule" in j]
    assert scheduled and all(j["schedule"]["pause_status"] == "PAUSED" for j in scheduled)
    assert all(j["tags"]["dev_user"] == "alice" for j in jobs.values())
    pipelines = users["alice"].resources("dev-churn", "databricks_pipeline")
    assert pipelines and all(p["development"] is True for p in pipelines.values())


@pytest.mark.terraform
def test_a_dev_target_validates_and_plans_offline(users):
    from mlops_tools.offline.harness import verify_stack

    result = verify_stack(users["alice"].stack_dir("dev-churn"))
    assert result.ok, result.failure_text()
    assert result.counts()["add"] > 40


def test_remote_state_keys_carry_the_developer(config_copy, tmp_path):
    edit_yaml(config_copy, "environments/dev.yaml", lambda doc: doc.update(
        backend={"type": "s3", "bucket": "acme-tf-state", "region": "eu-west-1"}))
    doc = _synth("pr-42", tmp_path / "out", config_copy).stacks["dev-churn"]
    assert doc["terraform"]["backend"]["s3"]["key"] == "mlops/dev-users/pr-42/dev-churn.tfstate"


def test_state_key_rules_per_backend():
    from platform_config.environment import CloudBackend, LocalBackend

    assert state_key("mlops", "dev-churn") == "mlops/dev-churn.tfstate"
    assert state_key("mlops", "dev-churn", "bob") == "mlops/dev-users/bob/dev-churn.tfstate"
    assert state_key("mlops", "dev", "bob", "") == "mlops/dev-users/bob/dev"  # gcs prefix
    assert local_state_path(LocalBackend(), "dev") == "terraform.dev.tfstate"
    assert local_state_path(LocalBackend(), "dev", "bob") == "terraform.dev.dev-users.bob.tfstate"
    assert local_state_path(LocalBackend(path="state/dev.tfstate"), "dev", "bob") == "state/dev.dev-users.bob.tfstate"
    assert local_state_path(LocalBackend(path="state.d/dev"), "dev", "bob") == "state.d/dev.dev-users.bob"
    cloud = CloudBackend(type="cloud", organization="acme")
    assert cloud_workspace_name(cloud, "dev-churn") == "mlops-dev-churn"
    assert cloud_workspace_name(cloud, "dev-churn", "bob") == "mlops-dev-users-bob-dev-churn"


@pytest.mark.parametrize("args, message", [
    (["--dev-user", "alice", "--env", "staging"], "environment 'staging' is deployed by CI"),
    (["--dev-user", "Jane.Doe"], "dev user 'Jane.Doe' is not a valid name"),
    (["--dev-user", "alice", "--env", "qa"], "unknown environment 'qa'"),
    (["--dev-user", "alice", "--env", "dev", "--env", "prod"], "--dev-user takes one environment"),
    (["--env", "dev"], "--env applies only with --dev-user"),
])
def test_bad_dev_user_input_exits_2_and_writes_nothing(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.delenv("MLOPS_DEV_USER", raising=False)
    out = tmp_path / "out"
    code = main(["synth", "--config", str(EXAMPLE_CONFIG), "--outdir", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not out.exists()


def test_the_environment_variable_stands_for_the_option(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLOPS_DEV_USER", "prod-breaker")
    code = main(["plan", "--config", str(EXAMPLE_CONFIG), "--outdir", str(tmp_path / "o"), "--env", "prod"])
    assert code == 2 and "environment 'prod' is deployed by CI" in capsys.readouterr().err
    monkeypatch.setenv("MLOPS_DEV_USER", "Bad.Name")
    code = main(["synth", "--config", str(EXAMPLE_CONFIG), "--outdir", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "'Bad.Name' is not a valid name" in err and "MLOPS_DEV_USER" in err


def test_an_environment_without_projects_has_no_dev_target(config_copy, tmp_path, capsys):
    (config_copy / "projects" / "churn.yaml").unlink()
    code = main(["synth", "--config", str(config_copy), "--outdir", str(tmp_path / "o"), "--dev-user", "alice"])
    assert code == 2 and "has no enabled ML project" in capsys.readouterr().err

"""Per-developer dev targets, resolved (no jsii): every name a project owns carries the dev
user, the environment's shared names do not, and staging/prod never get a dev target."""

from __future__ import annotations

import pytest
from support import EXAMPLE_CONFIG

from platform_config import load_platform
from resolution import names, resolve_project
from resolution.dev_user import (DevUserEnvironment, dev_user_name_problem, dev_user_of, dev_user_platform,
                                 dev_user_problem)
from resolution.environment import resolve_environment


@pytest.fixture(scope="module")
def platform():
    return load_platform(EXAMPLE_CONFIG)


def _resolved(platform, user):
    target_platform = dev_user_platform(platform, "dev", user) if user else platform
    (target,) = target_platform.targets["dev"]
    return target_platform, resolve_project(target)


def _project_names(project) -> set[str]:
    """Every name of a Databricks object the project's units create."""
    out = {j.name for j in project.jobs.values()} | {p.name for p in project.pipelines.values()}
    out |= {e.name for e in project.endpoints.values()} | {s.name for s in project.schemas.values()}
    out |= {project.experiment.path, project.model.full_name}
    out |= {m.assets_dir for m in project.monitors.values()} | {m.table_name for m in project.monitors.values()}
    if project.git_folder is not None:
        out.add(project.git_folder.path)
    if project.observability is not None:
        out |= {a.display_name for a in project.observability.alerts.values()}
        out |= {a.job_name for a in project.observability.alerts.values()}
    return out


@pytest.mark.parametrize("user", ["alice", "pr-123", "b2", "x" * 32])
def test_valid_dev_user_names(user):
    assert dev_user_name_problem(user) is None


@pytest.mark.parametrize("user", ["", "a", "Alice", "jane.doe", "1abc", "a--b", "abc-", "a b", "x" * 33,
                                  "é", "a_b", "../etc", "a\nb"])
def test_invalid_dev_user_names_are_refused_with_a_hint(user):
    problem = dev_user_name_problem(user)
    assert problem and "2 to 32 lowercase letters" in problem and "\n" not in problem


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_environments_ci_deploys_have_no_dev_target(platform, env):
    assert "deployed by CI" in dev_user_problem(platform.environments[env], "alice")
    assert dev_user_problem(platform.environments["dev"], "alice") is None


def test_two_dev_users_get_disjoint_names_and_the_shared_target_keeps_its_own(platform):
    _, shared = _resolved(platform, None)
    _, alice = _resolved(platform, "alice")
    _, bob = _resolved(platform, "bob")
    a, b, s = _project_names(alice), _project_names(bob), _project_names(shared)
    assert len(a) == len(b) == len(s) > 20
    assert not a & b and not a & s and not b & s
    assert alice.jobs["training"].name == "alice-dev-churn-training-job"
    assert shared.jobs["training"].name == "dev-churn-training-job"
    assert alice.schemas["features"].name == "alice_churn_features"
    assert alice.model.full_name == "mlops_dev.alice_churn_models.churn_model"
    assert alice.experiment.path == "/Shared/mlops/alice-dev-churn/churn-experiment"
    assert alice.endpoints["churn"].name == "alice-dev-churn"
    # tables the jobs read and write follow the schema keys into the user's schemas
    tables = alice.tables
    assert tables.feature_tables["customer_features"].full_name == "mlops_dev.alice_churn_features.customer_features"
    assert tables.feature_tables["customer_features"].input_table == "mlops_dev.alice_churn_features.crm_customers"
    assert tables.training_data == "mlops_dev.alice_churn_features.customer_features"
    assert tables.predictions == "mlops_dev.alice_churn_inference.churn_predictions"


def test_the_environments_shared_objects_keep_their_names(platform):
    target, alice = _resolved(platform, "alice")
    env = target.environments["dev"]
    base = platform.environments["dev"]
    assert isinstance(env, DevUserEnvironment) and dev_user_of(env) == "alice" and dev_user_of(base) is None
    assert env.catalog.name == base.catalog.name == "mlops_dev"
    for key in base.compute.cluster_policies:
        assert names.cluster_policy_name(env, key) == names.cluster_policy_name(base, key) == f"dev-{key}"
    for key in base.service_principals:
        assert names.service_principal_name(env, key) == names.service_principal_name(base, key)
    shared, own = resolve_environment(base, platform.targets["dev"]), resolve_environment(
        env, target.targets["dev"])
    assert {k: w.name for k, w in own.observability.warehouses.items()} == {
        k: w.name for k, w in shared.observability.warehouses.items()} == {"default": "dev-default-warehouse"}
    assert {k: d.display_name for k, d in own.observability.destinations.items()} == {
        k: d.display_name for k, d in shared.observability.destinations.items()}
    policies = {j.cluster_policy for j in alice.jobs.values()} - {None}
    assert policies and all(p.name.startswith("dev-") for p in policies)


def test_a_dev_target_pauses_schedules_runs_pipelines_in_development_and_tags_the_user(platform):
    target, alice = _resolved(platform, "alice")
    env = target.environments["dev"]
    assert env.pause_schedules and env.pipelines.development and env.tags["dev_user"] == "alice"
    assert all(j.schedule_paused is not False for j in alice.jobs.values())
    assert all(p.development for p in alice.pipelines.values())
    assert alice.jobs["training"].tags["dev_user"] == "alice"
    assert "dev_user" not in platform.environments["dev"].tags  # the loaded config is untouched


def test_a_dev_target_holds_only_its_environment(platform):
    target = dev_user_platform(platform, "dev", "alice")
    assert set(target.environments) == set(target.targets) == {"dev"}
    assert [t.project.name for t in target.targets["dev"]] == [t.project.name for t in platform.targets["dev"]]


def test_configured_paths_and_a_model_outside_the_projects_schemas_get_the_user(platform):
    from resolution.dev_user import dev_user_project

    (target,) = platform.targets["dev"]
    project = target.project.model_copy(update={
        "experiment": target.project.experiment.model_copy(update={"path": "/Shared/team/churn-exp"}),
        "model": target.project.model.model_copy(update={"schema_name": "shared_models", "name": "churn"})})
    own = dev_user_project(project, "pr-7")
    assert own.experiment.path == "/Shared/team/pr-7-churn-exp"
    assert own.model.name == "pr_7_churn" and own.model.schema_name == "shared_models"
    assert all(names.schema_name(own, k).startswith("pr_7_") for k in own.schemas)

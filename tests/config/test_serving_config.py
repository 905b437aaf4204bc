"""serving.endpoints config: every rule a user can break is reported with file, line and key.

Each test edits a copy of the shipped config (the example's YAML is loaded, changed
and written back) and checks ConfigError.problems; no jsii is started here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import config_problems, edit_yaml, line_of, problem_at

from platform_config import load_platform
from platform_config.serving import ServingConfig

PROJECT = Path("projects/churn.yaml")


def endpoint(data: dict) -> dict:
    return data["serving"]["endpoints"]["churn"]


def env_endpoint(data: dict, env: str) -> dict:
    return data["environments"][env]["serving"]["endpoints"]["churn"]


KEY = "serving.endpoints.churn"


# ----------------------------------------------------------------- the example is valid

def test_example_resolves_per_environment():
    platform = load_platform(Path(__file__).resolve().parents[2] / "config")
    by_env = {env: targets[0].project.serving.endpoints["churn"] for env, targets in platform.targets.items()}
    assert sorted(by_env["staging"].traffic.items()) == [("challenger", 10), ("champion", 90)]
    assert by_env["prod"].entities["champion"].workload_size == "Medium"
    assert platform.environments["prod"].serving.allow_scale_to_zero is False
    assert platform.environments["dev"].serving.scale_to_zero_default is True
    assert platform.environments["prod"].serving.scale_to_zero_default is False


# ----------------------------------------------------------------- traffic split

def test_traffic_must_sum_to_100(config_copy):
    path = edit_yaml(config_copy, PROJECT, lambda d: env_endpoint(d, "staging")["traffic"].update(challenger=20))
    p = problem_at(config_problems(config_copy), f"{KEY}.traffic")
    assert "must sum to 100, got 110 (challenger=20, champion=90)" in p.message
    assert p.file.endswith("churn.yaml") and p.line == line_of(path, "traffic:", "staging:")


def test_traffic_names_unknown_entity(config_copy):
    def change(d):
        env_endpoint(d, "staging")["traffic"] = {"champion": 90, "challenjer": 10}
    path = edit_yaml(config_copy, PROJECT, change)
    problems = config_problems(config_copy)
    p = problem_at(problems, f"{KEY}.traffic.challenjer")
    assert "no entity named 'challenjer' (entities: challenger, champion)" in p.message
    assert p.line == line_of(path, "challenjer:")


def test_traffic_required_with_several_entities(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: env_endpoint(d, "staging").pop("traffic"))
    p = problem_at(config_problems(config_copy), f"{KEY}.traffic")
    assert "several entities (challenger, champion) need a traffic split" in p.message


def test_traffic_must_route_every_entity(config_copy):
    def change(d):
        env_endpoint(d, "staging")["traffic"] = {"champion": 100}
    edit_yaml(config_copy, PROJECT, change)
    p = problem_at(config_problems(config_copy), f"{KEY}.traffic")
    assert "missing: challenger" in p.message


def test_traffic_percent_range(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: env_endpoint(d, "staging")["traffic"].update(challenger=-10))
    p = problem_at(config_problems(config_copy), f"{KEY}.traffic.challenger")
    assert "greater than or equal to 0" in p.message


# ----------------------------------------------------------------- scale to zero

def test_scale_to_zero_rejected_in_prod_problem_at(config_copy):
    path = edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(scale_to_zero=True))
    problems = config_problems(config_copy)
    assert len(problems) == 1, problems  # dev and staging allow it
    p = problem_at(problems, f"{KEY}.entities.champion.scale_to_zero")
    assert "environment 'prod' does not allow scale-to-zero" in p.message
    assert "scale_to_zero_override: true" in p.message
    assert p.line == line_of(path, "scale_to_zero: true")


def test_scale_to_zero_explicit_override(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(
        scale_to_zero=True, scale_to_zero_override=True))
    platform = load_platform(config_copy)
    prod = platform.targets["prod"][0].project.serving.endpoints["churn"].entities["champion"]
    assert prod.scale_to_zero is True and prod.scale_to_zero_override is True


def test_scale_to_zero_policy_is_environment_config(config_copy):
    """Allowing scale-to-zero in prod is an environment setting, not code."""
    edit_yaml(config_copy, Path("environments/prod.yaml"), lambda d: d["serving"].update(allow_scale_to_zero=True))
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(scale_to_zero=True))
    platform = load_platform(config_copy)
    assert platform.environments["prod"].serving.scale_to_zero_default is True


def test_environment_cannot_default_to_forbidden_scale_to_zero(config_copy):
    path = edit_yaml(config_copy, Path("environments/prod.yaml"), lambda d: d["serving"].update(scale_to_zero=True))
    p = problem_at(config_problems(config_copy), "serving.scale_to_zero")
    assert p.file.endswith("prod.yaml") and p.line == line_of(path, "scale_to_zero: true")


# ----------------------------------------------------------------- sizing

def test_workload_size_and_provisioned_concurrency_are_exclusive(config_copy):
    path = edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(
        min_provisioned_concurrency=4, max_provisioned_concurrency=8))
    p = problem_at(config_problems(config_copy), f"{KEY}.entities.champion.workload_size")
    assert "workload_size and min_provisioned_concurrency are mutually exclusive" in p.message
    assert "provider docs: model_serving" in p.message
    assert p.line == line_of(path, "workload_size: Small")


def test_provisioned_concurrency_alone_is_fine(config_copy):
    def change(d):
        champion = endpoint(d)["entities"]["champion"]
        champion.pop("workload_size")
        champion.update(min_provisioned_concurrency=0, max_provisioned_concurrency=8)
        env_endpoint(d, "prod")["entities"]["champion"].pop("workload_size")
    edit_yaml(config_copy, PROJECT, change)
    platform = load_platform(config_copy)
    champion = platform.targets["prod"][0].project.serving.endpoints["churn"].entities["champion"]
    assert (champion.workload_size, champion.max_provisioned_concurrency) == (None, 8)


def test_provisioned_bounds(config_copy):
    def change(d):
        champion = endpoint(d)["entities"]["champion"]
        champion.pop("workload_size")
        champion.update(min_provisioned_throughput=200)
        env_endpoint(d, "prod")["entities"]["champion"].pop("workload_size")
        env_endpoint(d, "staging")["entities"]["challenger"].update(min_provisioned_concurrency=16,
                                                                   max_provisioned_concurrency=8)
    edit_yaml(config_copy, PROJECT, change)
    problems = config_problems(config_copy)
    assert "set both min_provisioned_throughput and max_provisioned_throughput" in \
        problem_at(problems, f"{KEY}.entities.champion.max_provisioned_throughput").message
    assert "must not exceed" in problem_at(problems, f"{KEY}.entities.challenger.min_provisioned_concurrency").message


def test_workload_size_enum(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(workload_size="Huge"))
    p = problem_at(config_problems(config_copy), f"{KEY}.entities.champion.workload_size")
    assert "'Huge'" in p.message


# ----------------------------------------------------------------- secrets

def test_environment_vars_accept_secret_references(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(
        environment_vars={"CRM_API_TOKEN": "{{secrets/mlops/crm_api_token}}"}))
    platform = load_platform(config_copy)
    champion = platform.targets["dev"][0].project.serving.endpoints["churn"].entities["champion"]
    assert champion.environment_vars == {"CRM_API_TOKEN": "{{secrets/mlops/crm_api_token}}"}


@pytest.mark.parametrize("name, value", [
    ("CRM_ENDPOINT_KEY", "sk-live-8f2a9c"),         # a literal credential with an innocent-looking name
    ("CRM_API_TOKEN", "abc123"),                    # also caught by the loader's secret scan
    ("MODE", "{{secrets/only-scope}}"),             # malformed reference
])
def test_literal_environment_variable_rejected(config_copy, name, value):
    path = edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(
        environment_vars={name: value}))
    problems = config_problems(config_copy)
    p = problem_at(problems, f"{KEY}.entities.champion.environment_vars.{name}")
    assert "may only reference secrets as {{secrets/<scope>/<key>}}" in p.message
    assert p.line == line_of(path, f"{name}:")
    assert value not in str(p)  # the secret itself is never echoed


# ----------------------------------------------------------------- rate limits, notifications, permissions

def test_rate_limit_rules(config_copy):
    def change(d):
        endpoint(d)["rate_limits"] = [
            {"key": "endpoint", "calls": 100, "principal": "analysts"},
            {"key": "user", "calls": 0},
            {"key": "tenant", "calls": 5},
        ]
        env_endpoint(d, "prod").pop("rate_limits")
    edit_yaml(config_copy, PROJECT, change)
    problems = config_problems(config_copy)
    assert "takes no principal" in problem_at(problems, f"{KEY}.rate_limits[0].principal").message
    assert "greater than 0" in problem_at(problems, f"{KEY}.rate_limits[1].calls").message
    assert "'tenant'" in problem_at(problems, f"{KEY}.rate_limits[2].key").message


def test_duplicate_rate_limits(config_copy):
    def change(d):
        env_endpoint(d, "prod")["rate_limits"] = [
            {"key": "user_group", "calls": 10, "principal": "analysts"},
            {"key": "endpoint", "calls": 1000},
            {"key": "user_group", "calls": 20, "principal": "analysts"},
        ]
    path = edit_yaml(config_copy, PROJECT, change)
    p = problem_at(config_problems(config_copy), f"{KEY}.rate_limits[2]")
    assert "duplicate rate limit (key user_group for analysts), already set at rate_limits[0]" in p.message
    assert p.line == line_of(path, "calls: 20") - 1  # the list item "- key: user_group"


def test_notification_emails_validated(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["notifications"].update(on_update_failure=["churn-team"]))
    p = problem_at(config_problems(config_copy), f"{KEY}.notifications.on_update_failure[0]")
    # not an address: a destination key, which must be an email destination (docs/observability.md)
    assert "unknown notification destination 'churn-team'" in p.message
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["notifications"].update(on_update_failure=["a b"]))
    assert "pattern" in problem_at(config_problems(config_copy), f"{KEY}.notifications.on_update_failure[0]").message


def test_permission_level_checked(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["permissions"].update(readers="CAN_USE"))
    problems = config_problems(config_copy)
    assert "'CAN_USE'" in problem_at(problems, f"{KEY}.permissions.readers").message


def test_unknown_role_in_permissions(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["permissions"].update(auditors="CAN_VIEW"))
    p = problem_at(config_problems(config_copy), f"{KEY}.permissions.auditors")
    assert "unknown role 'auditors'" in p.message


# ----------------------------------------------------------------- safe first deploy

def test_pending_versions(config_copy):
    def change(d):
        endpoint(d)["entities"]["champion"]["version"] = None
        env_endpoint(d, "staging")["entities"]["champion"]["version"] = "pending"
        env_endpoint(d, "staging")["entities"]["challenger"]["version"] = None
        env_endpoint(d, "prod")["entities"]["champion"]["version"] = "7"
    edit_yaml(config_copy, PROJECT, change)
    platform = load_platform(config_copy)
    versions = {env: {n: e.version for n, e in t[0].project.serving.endpoints["churn"].entities.items()}
                for env, t in platform.targets.items()}
    assert versions == {"dev": {"champion": None}, "staging": {"champion": None, "challenger": None},
                        "prod": {"champion": 7}}


def test_partly_pending_endpoint_rejected(config_copy):
    path = edit_yaml(config_copy, PROJECT, lambda d: env_endpoint(d, "staging")["entities"]["challenger"].update(
        version=None))
    p = problem_at(config_problems(config_copy), f"{KEY}.entities.challenger.version")
    assert "entity 'challenger' has no version while champion has one" in p.message
    assert p.line == line_of(path, "version: null", "staging:")


def test_bad_version(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d)["entities"]["champion"].update(version="latest"))
    p = problem_at(config_problems(config_copy), f"{KEY}.entities.champion.version")
    assert "integer" in p.message


# ----------------------------------------------------------------- shape

def test_endpoint_needs_entities_and_valid_names():
    with pytest.raises(Exception) as info:
        ServingConfig.model_validate({"endpoints": {"churn": {"entities": {}}}})
    assert "at least one served entity" in str(info.value)
    with pytest.raises(Exception) as info:
        ServingConfig.model_validate({"endpoints": {"churn": {"entities": {"bad name": {"version": 1}}}}})
    assert "should match pattern" in str(info.value)
    many = {f"e{i}": {"version": 1} for i in range(11)}
    with pytest.raises(Exception) as info:
        ServingConfig.model_validate({"endpoints": {"churn": {"entities": many,
                                                              "traffic": {k: 0 for k in many}}}})
    assert "at most 10 entities" in str(info.value)


def test_unknown_key_lists_allowed(config_copy):
    edit_yaml(config_copy, PROJECT, lambda d: endpoint(d).update(min_replicas=2))
    p = problem_at(config_problems(config_copy), f"{KEY}.min_replicas")
    assert p.message.startswith("unknown key")

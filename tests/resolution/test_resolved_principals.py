"""Roles resolved to members, grants and levels (resolution/principals.py), without jsii."""

from __future__ import annotations

import pytest

from support import EXAMPLE_CONFIG
from platform_config import load_platform
from platform_config.environment import PrincipalsConfig
from resolution import Member, resolve_project
from resolution.principals import deployer, grant_map, level_map, members, owner

G = "group_name"
SP = "service_principal_name"


@pytest.fixture(scope="module")
def platform():
    return load_platform(EXAMPLE_CONFIG)


def test_created_service_principal_resolves_at_apply(platform):
    env = platform.environments["dev"]
    assert members(env, env.roles["job_runners"]) == (Member(SP, "jobs_runner", apply_time=True),)
    (target,) = platform.targets["dev"]
    project = resolve_project(target)
    assert project.apply_time_principals == {"jobs_runner"}  # a project stack looks it up once
    assert project.schemas["features"].grants[Member(SP, "jobs_runner", apply_time=True)] == frozenset(
        {"USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE"})


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_referenced_service_principal_is_its_application_id(platform, env):
    e = platform.environments[env]
    app_id = e.service_principals["jobs_runner"].application_id
    assert members(e, e.roles["job_runners"]) == (Member(SP, app_id),)
    (target,) = platform.targets[env]
    project = resolve_project(target)
    assert project.apply_time_principals == frozenset()
    assert {j.run_as for j in project.jobs.values()} == {Member(SP, app_id)}
    assert deployer(e) == Member(SP, e.service_principals["deployer"].application_id)


def test_grants_union_and_levels_keep_the_highest(platform):
    env = platform.environments["dev"]
    roles = {"a": PrincipalsConfig(groups=["g1", "g2"]), "b": PrincipalsConfig(groups=["g2"])}
    assert grant_map(env, roles, {"a": ["SELECT"], "b": ["MODIFY"]}) == {
        Member(G, "g1"): frozenset({"SELECT"}), Member(G, "g2"): frozenset({"SELECT", "MODIFY"})}
    rank = ["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"]
    assert level_map(env, roles, {"a": "CAN_MANAGE", "b": "CAN_VIEW"}, rank) == {
        Member(G, "g1"): "CAN_MANAGE", Member(G, "g2"): "CAN_MANAGE"}
    assert level_map(env, roles, {"b": "CAN_MANAGE", "a": "CAN_VIEW"}, rank)[Member(G, "g2")] == "CAN_MANAGE"


def test_owner(platform):
    dev, prod = platform.environments["dev"], platform.environments["prod"]
    assert owner(dev, None) is None
    assert owner(dev, "someone@example.com") == "someone@example.com"
    assert owner(dev, "jobs_runner") == Member(SP, "jobs_runner", apply_time=True)
    assert owner(prod, "jobs_runner") == Member(SP, prod.service_principals["jobs_runner"].application_id)


def test_project_roles_override_environment_roles(platform):
    (target,) = platform.targets["prod"]
    project = resolve_project(target)
    assert Member(G, "churn-team-prod") in project.experiment.permissions
    assert Member(G, "churn-team") not in project.experiment.permissions


def test_lookups_only_for_service_principals_a_project_uses(platform):
    """A project stack looks up (once, up front) exactly the apply-time principals its units
    use: owners, grants, levels, run_as and rate limits all count; unused ones do not."""
    import dataclasses

    (target,) = platform.targets["dev"]
    project = target.project
    # drop every use of job_runners (schema/volume grants) from the project
    schemas = {k: s.model_copy(update={"grants": {r: g for r, g in s.grants.items() if r != "job_runners"}})
               for k, s in project.schemas.items()}
    volumes = {k: v.model_copy(update={"grants": {r: g for r, g in v.grants.items() if r != "job_runners"}})
               for k, v in project.volumes.items()}
    unused = dataclasses.replace(target, project=project.model_copy(update={"schemas": schemas, "volumes": volumes}))
    assert resolve_project(unused).apply_time_principals == frozenset()
    # the service principal as a schema owner is a use
    owned = {**schemas, "features": schemas["features"].model_copy(update={"owner": "jobs_runner"})}
    as_owner = dataclasses.replace(target, project=project.model_copy(update={"schemas": owned, "volumes": volumes}))
    assert resolve_project(as_owner).apply_time_principals == {"jobs_runner"}

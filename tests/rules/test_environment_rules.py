"""The environment-dependent rules, in their one place (platform_config.environment_rules), and
the config side of the relative-path fix: URIs of any scheme are not repository paths."""

from __future__ import annotations

import pytest

from databricks_spec.permissions import JOB_LEVELS, SERVING_LEVELS
from platform_config import EnvironmentConfig, ProjectConfig
from platform_config.environment_rules import environment_findings

ENV = {"name": "prod", "workspace": {"host": "https://adb-1.azuredatabricks.net"}, "cloud": "azure",
       "catalog": {"name": "mlops_prod"}, "require_job_run_as": True,
       "backend": {"type": "local", "allow_local_state": True, "reason": "unit test: nothing is deployed"},
       "serving": {"allow_scale_to_zero": False},
       "roles": {"eng": {"groups": ["engineers"]}, "sp": {"service_principals": [
           "11111111-1111-1111-1111-111111111111"]}}}


def findings(project: dict, env: dict = ENV) -> dict[tuple, str]:
    e = EnvironmentConfig.model_validate(env)
    p = ProjectConfig.model_validate({"name": "churn", "owner": "team@example.com", **project})
    return {f.key: str(f) for f in environment_findings(p, e, {**e.roles, **p.roles})}


def test_one_place_for_the_environment_rules():
    found = findings({
        "experiment": {"permissions": {"ghosts": "CAN_READ"}},
        "roles": {"own": {"service_principals": ["jobs_runner"]}},
        "jobs": {"workspace_root": "/Workspace/churn", "run_as": "eng",
                 "permissions": {"eng": "IS_OWNER"}, "training": {}},
        "serving": {"endpoints": {"churn": {"entities": {"champion": {"version": 1, "scale_to_zero": True}}}}},
    })
    assert "unknown role 'ghosts' in environment 'prod'" in found[("experiment", "permissions", "ghosts")]
    assert "neither an application id" in found[("roles", "own", "service_principals", 0)]
    assert "does not allow scale-to-zero" in found[("serving", "endpoints", "churn", "entities", "champion",
                                                    "scale_to_zero")]
    assert "run_as role 'eng' must stand for exactly one" in found[("jobs", "run_as")]
    assert "a job cannot be owned by a group" in found[("jobs", "permissions", "eng")]


@pytest.mark.parametrize("path", ["file:/mnt/code/train.py", "abfs://c@acct.dfs.core.windows.net/train.py",
                                  "r2://bucket/train.py", "dbfs:/code/train.py", "s3://b/train.py",
                                  "/Workspace/Shared/train.py", "/Volumes/main/ml/code/train.py"])
def test_uris_and_absolute_paths_need_no_source(path):
    found = findings({"jobs": {"run_as": "sp", "training": {"tasks": {
        "train": {"python_script": path}, "validate": {"notebook": "/Workspace/v"},
        "deploy": {"notebook": "/Workspace/d"}}}}})
    assert found == {}


def test_a_repository_path_needs_a_source():
    found = findings({"jobs": {"run_as": "sp", "training": {"tasks": {
        "train": {"python_script": "train.py"}, "validate": {"notebook": "/Workspace/v"},
        "deploy": {"notebook": "/Workspace/d"}}}}})
    assert list(found) == [("jobs", "training", "tasks", "train")]
    assert "relative path 'train.py' needs jobs.git_source" in found[("jobs", "training", "tasks", "train")]


def test_config_ranks_come_from_the_spec():
    from platform_config.jobs import JOB_LEVEL_RANK
    from platform_config.serving import SERVING_LEVEL_RANK

    assert JOB_LEVEL_RANK is JOB_LEVELS and JOB_LEVEL_RANK[-1] == "IS_OWNER"
    assert SERVING_LEVEL_RANK is SERVING_LEVELS

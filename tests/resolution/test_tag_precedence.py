"""One tag precedence for every taggable unit (resolution/tags.py): environment tags <
project tags < the unit's own tags < the platform's keys (project, environment, owner,
cost_center; iac_commit on jobs and pipelines, opt-in). Jobs, serving endpoints and
pipelines agree."""

from __future__ import annotations

import dataclasses

import pytest

from support import EXAMPLE_CONFIG
from platform_config import load_platform
from resolution import resolve_project
from resolution.tags import PLATFORM_KEYS, unit_tags


@pytest.fixture(scope="module")
def target():
    (t,) = load_platform(EXAMPLE_CONFIG).targets["staging"]
    return t


def _with_tags(target, project_tags, unit_tags_):
    """The target with project tags, jobs.tags and the endpoint's tags set."""
    project = target.project
    endpoint = project.serving.endpoints["churn"].model_copy(update={"tags": unit_tags_})
    project = project.model_copy(update={
        "tags": project_tags,
        "jobs": project.jobs.model_copy(update={"tags": unit_tags_}),
        "serving": project.serving.model_copy(update={"endpoints": {"churn": endpoint}}),
    })
    return dataclasses.replace(target, project=project)


def test_platform_keys_win_on_jobs_and_endpoints(target):
    spoof = {"owner": "someone-else", "project": "other", "environment": "prod", "cost_center": "CC-0"}
    resolved = resolve_project(_with_tags(target, spoof, spoof))
    expected_identity = {"owner": "churn-team@example.com", "project": "churn", "environment": "staging",
                         "cost_center": "CC-4711"}
    units = {f"job {k}": j.tags for k, j in resolved.jobs.items()}
    units["endpoint churn"] = resolved.endpoints["churn"].tags
    units.update({f"pipeline {k}": p.tags for k, p in resolved.pipelines.items()})
    assert "pipeline ingest" in units
    for unit, tags in units.items():
        assert {k: tags[k] for k in expected_identity} == expected_identity, unit


def test_layers_in_order(target):
    env_tags = dict(target.env.tags)  # environment: staging, managed_by: cdktf
    assert env_tags["managed_by"] == "cdktf"
    resolved = resolve_project(_with_tags(
        target, {"managed_by": "project", "team": "project", "tier": "project"}, {"tier": "unit"}))
    for tags in [j.tags for j in resolved.jobs.values()] + [resolved.endpoints["churn"].tags]:
        assert tags["managed_by"] == "project"  # project tags override environment tags
        assert tags["team"] == "project"
        assert tags["tier"] == "unit"  # the unit's own tags override project tags


def test_job_tags_override_shared_jobs_tags(target):
    project = target.project
    training = project.jobs.training.model_copy(update={"tags": {"tier": "job"}})
    jobs = project.jobs.model_copy(update={"tags": {"tier": "jobs", "stage": "jobs"}, "training": training})
    resolved = resolve_project(dataclasses.replace(target, project=project.model_copy(update={"jobs": jobs})))
    assert resolved.jobs["training"].tags["tier"] == "job"
    assert resolved.jobs["training"].tags["stage"] == "jobs"
    assert resolved.jobs["batch_inference"].tags["tier"] == "jobs"


def test_iac_commit_only_on_jobs_and_only_when_given(target):
    sha = "0123456789abcdef0123456789abcdef01234567"
    resolved = resolve_project(dataclasses.replace(target, iac_commit=sha))
    assert all(j.tags["iac_commit"] == sha for j in resolved.jobs.values())
    assert "iac_commit" not in resolved.endpoints["churn"].tags
    assert all("iac_commit" not in j.tags for j in resolve_project(target).jobs.values())


def test_unit_tags_function(target):
    env, project = target.env, target.project
    tags = unit_tags(env, project, {"a": "1", "owner": "x"}, {"a": "2"}, iac_commit="abc1234")
    assert tags["a"] == "2" and tags["owner"] == project.owner and tags["iac_commit"] == "abc1234"
    assert set(PLATFORM_KEYS) <= set(tags)

"""LakeflowPipeline and GitFolder: defaults and options on the synthesized JSON, sorted output,
prop validation (the same databricks_spec rules config uses), and the pipeline_task of MlJob."""

from __future__ import annotations

from dataclasses import replace

import cdktf
import pytest

from databricks_spec import pipelines as spec
from mlops_constructs.git_folder import GitFolder, GitFolderProps
from mlops_constructs.job import MlJob, MlJobProps, NotebookCode, PipelineCode, TaskSpec
from mlops_constructs.pipeline import (LakeflowPipeline, LakeflowPipelineProps, LibrarySpec, NotificationSpec,
                                       PipelineClusterSpec)
from mlops_constructs.principal import Principal

SP = Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name")
GROUP = Principal("analysts")
MINIMAL = LakeflowPipelineProps(name="dev-x-pipeline", catalog="main", schema="x",
                                libraries=(LibrarySpec(kind="notebook", path="/Workspace/x/ingest"),))


def _pipeline(synth_construct, props: LakeflowPipelineProps) -> dict:
    doc = synth_construct(lambda stack: LakeflowPipeline(stack, "p", props))
    (body,) = doc["resource"]["databricks_pipeline"].values()
    return {k: v for k, v in body.items() if k != "//"}


def test_minimal_pipeline_is_serverless_production_triggered(synth_construct):
    assert _pipeline(synth_construct, MINIMAL) == {
        "name": "dev-x-pipeline", "catalog": "main", "schema": "x", "serverless": True,
        "continuous": False, "development": False,
        "library": [{"notebook": {"path": "/Workspace/x/ingest"}}]}


def test_every_option_sorted(synth_construct):
    props = replace(
        MINIMAL, serverless=False, development=True, photon=True, edition="PRO", channel="PREVIEW",
        libraries=(LibrarySpec(kind="file", path="/Workspace/x/a.sql"),
                   LibrarySpec(kind="glob", path="/Workspace/x/t/**")),
        cluster=PipelineClusterSpec(node_type_id="Standard_D4ds_v5", autoscale=(1, 5, "ENHANCED"),
                                    policy_id="POLICY1", custom_tags={"z": "1", "a": "2"}),
        configuration={"z": "1", "a": "$${x}"},
        notifications=(NotificationSpec(emails=("b@example.com", "a@example.com"), alerts=("on-update-success",)),
                       NotificationSpec(emails=("c@example.com",), alerts=("on-update-failure", "on-flow-failure"))),
        event_log=("main", "x", "events"), budget_policy_id="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        run_as=SP, tags={"z": "1", "a": "2"}, permissions={GROUP: "CAN_VIEW", SP: "IS_OWNER"})
    doc = synth_construct(lambda stack: LakeflowPipeline(stack, "p", props))
    (body,) = doc["resource"]["databricks_pipeline"].values()
    assert "serverless" not in body and body["photon"] is True and body["development"] is True
    assert body["cluster"] == [{"label": "default", "node_type_id": "Standard_D4ds_v5", "policy_id": "POLICY1",
                                "apply_policy_default_values": True, "custom_tags": {"a": "2", "z": "1"},
                                "autoscale": {"min_workers": 1, "max_workers": 5, "mode": "ENHANCED"}}]
    # props reach the resource as given: config strings arrive already escaped by the loader
    # (platform_config/literals.py), so the construct must not escape them a second time
    assert list(body["configuration"].items()) == [("a", "$${x}"), ("z", "1")]
    assert body["notification"] == [
        {"alerts": ["on-flow-failure", "on-update-failure"], "email_recipients": ["c@example.com"]},
        {"alerts": ["on-update-success"], "email_recipients": ["a@example.com", "b@example.com"]}]
    assert body["library"] == [{"file": {"path": "/Workspace/x/a.sql"}}, {"glob": {"include": "/Workspace/x/t/**"}}]
    assert body["event_log"] == {"catalog": "main", "schema": "x", "name": "events"}
    assert body["run_as"] == {"service_principal_name": SP.name}
    assert list(body["tags"]) == ["a", "z"]
    (perms,) = doc["resource"]["databricks_permissions"].values()
    assert perms["pipeline_id"].startswith("${databricks_pipeline.")
    assert {a["permission_level"] for a in perms["access_control"]} == {"CAN_VIEW", "IS_OWNER"}


@pytest.mark.parametrize("change, message", [
    ({"libraries": ()}, "at least one library"),
    ({"libraries": (LibrarySpec(kind="notebook", path="nb/ingest"),)}, "must be an absolute workspace path"),
    ({"libraries": (LibrarySpec(kind="notebook", path="/Workspace/x/a.py"),)}, "names a file"),
    ({"libraries": (LibrarySpec(kind="file", path="s3://bucket/a.py"),)}, "not cloud storage"),
    ({"cluster": PipelineClusterSpec(node_type_id="n")}, "serverless pipeline takes no cluster"),
    ({"serverless": False, "dependencies": ("x==1",)}, "for serverless pipelines"),
    ({"edition": "ENTERPRISE"}, "edition 'ENTERPRISE'"),
    ({"channel": "BETA"}, "channel 'BETA'"),
    ({"notifications": (NotificationSpec(emails=("a@example.com",), alerts=("on-update-start",)),)},
     "unknown alert type 'on-update-start'"),
    ({"run_as": GROUP}, "not group analysts"),
    ({"permissions": {GROUP: "IS_OWNER"}}, "cannot be owned by a group"),
    ({"permissions": {GROUP: "CAN_MANAGE_RUN"}}, "invalid permission level"),
    ({"tags": {f"t{i}": "x" for i in range(26)}}, "at most 25 tags"),
])
def test_refused_props(change, message):
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "test")
    with pytest.raises(ValueError, match=message):
        LakeflowPipeline(stack, "p", replace(MINIMAL, **change))


def test_pipeline_task_runs_the_pipeline_without_compute(synth_construct):
    def build(stack):
        p = LakeflowPipeline(stack, "p", MINIMAL)
        MlJob(stack, "j", MlJobProps(name="j", tasks=(
            TaskSpec(key="ingest", action=PipelineCode(pipeline_id=p.pipeline_id)),
            TaskSpec(key="features", action=NotebookCode(path="/Workspace/x/f"), depends_on=("ingest",)))))

    doc = synth_construct(build)
    (job,) = doc["resource"]["databricks_job"].values()
    ingest = next(t for t in job["task"] if t["task_key"] == "ingest")
    assert ingest["pipeline_task"]["full_refresh"] is False
    assert ingest["pipeline_task"]["pipeline_id"].startswith("${databricks_pipeline.")
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "refused")
    with pytest.raises(ValueError, match="pipeline tasks take no compute"):
        MlJob(stack, "j", MlJobProps(name="j", tasks=(
            TaskSpec(key="ingest", action=PipelineCode(pipeline_id="123"), compute_key="c"),)))


def test_git_folder(synth_construct):
    doc = synth_construct(lambda stack: GitFolder(stack, "code", GitFolderProps(
        url="https://github.com/o/r", path="/Repos/mlops/dev-x", provider="gitHub", tag="v1",
        permissions={SP: "CAN_READ"})))
    (repo,) = doc["resource"]["databricks_repo"].values()
    assert {k: v for k, v in repo.items() if k != "//"} == {
        "url": "https://github.com/o/r", "path": "/Repos/mlops/dev-x", "git_provider": "gitHub", "tag": "v1"}
    (perms,) = doc["resource"]["databricks_permissions"].values()
    assert perms["repo_id"].startswith("${databricks_repo.")
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "refused")
    with pytest.raises(ValueError, match="branch or tag, not both"):
        GitFolder(stack, "g", GitFolderProps(url="https://github.com/o/r", path="/Repos/a/b", branch="m", tag="t"))


def test_spec_rules_are_pure():
    assert spec.library_problem("glob", "/Workspace/x/**") == []
    assert spec.library_problem("glob", "/Workspace/x/*/y") != []
    assert spec.format_problem("cloudFiles") != [] and spec.format_problem("binaryFile") == []
    assert spec.expectations_json({"b": ("x > 0", "warn"), "a": ("y", "drop")}) == \
        '{"a":{"action":"drop","expression":"y"},"b":{"action":"warn","expression":"x > 0"}}'
    assert spec.ingest_key("t", "source") == "mlops.ingest.t.source"
    assert spec.reserved_key_problem("mlops.x") and spec.reserved_key_problem("mlopsx") == []
    assert spec.reserved_key_problem("a b") and spec.library_problem("file", "/Workspace/${x}.py")

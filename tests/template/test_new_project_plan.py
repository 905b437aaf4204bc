"""Done-when of the template: `mlops new-project demo`, then synth and an offline `terraform
plan` of every stack, in a copy of the shipped config (no workspace, no network)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG, ROOT, Synthesized, synth_config
from mlops_tools.cli import main
from mlops_tools.offline.harness import VerifyResult, verify_stack

pytestmark = pytest.mark.terraform


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("demo-repo")
    shutil.copytree(EXAMPLE_CONFIG, repo / "config")
    assert main(["new-project", "demo", "--config", str(repo / "config")]) == 0
    return repo


@pytest.fixture(scope="module")
def synthesized(repo) -> Synthesized:
    return synth_config(repo / "config", repo / "cdktf.out")


@pytest.fixture(scope="module")
def verdicts(synthesized: Synthesized, terraform: str) -> dict[str, VerifyResult]:
    return {name: verify_stack(synthesized.stack_dir(name)) for name in sorted(synthesized.stacks)}


def demo_resources(synthesized: Synthesized, stack: str) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for rtype, resources in synthesized.stacks[stack].get("resource", {}).items():
        for address, body in resources.items():
            if body["//"]["metadata"]["path"].startswith(f"{stack}/demo/"):
                out.setdefault(rtype, {})[address] = body
    return out


def test_the_new_project_is_in_every_environment_with_every_unit(synthesized) -> None:
    for stack in ("dev", "staging", "prod"):
        demo = demo_resources(synthesized, stack)
        jobs = sorted(j["name"] for j in demo["databricks_job"].values())
        prefix = "" if stack == "prod" else f"{stack}-"
        assert jobs == sorted(f"{prefix}demo-{kind}-job" for kind in
                              ("batch-inference", "feature-engineering", "retraining", "training")), stack
        assert len(demo["databricks_pipeline"]) == 1 and len(demo["databricks_quality_monitor"]) == 1
        assert len(demo["databricks_registered_model"]) == 1 and len(demo["databricks_volume"]) == 1
        outputs = {k for k in synthesized.stacks[stack].get("output", {}) if k.startswith("demo_")}
        assert outputs >= {"demo_code_root", "demo_job_feature_engineering_id", "demo_job_training_id",
                           "demo_pipeline_ingest_id", "demo_volume_raw_path"}, stack  # what `mlops run` reads


def test_task_paths_point_at_the_templates_code_delivered_to_the_workspace(synthesized, repo) -> None:
    """Each task runs a workspace file the stack deploys, with the content of projects/demo/."""
    import base64
    import re

    demo = demo_resources(synthesized, "dev")
    deployed = demo["databricks_workspace_file"]
    root = "/Shared/mlops/dev-demo/code/"
    code = repo / "projects" / "demo"
    relative = {address: body["path"].removeprefix(root) for address, body in deployed.items()}
    assert all(body["path"].startswith(root) for body in deployed.values())
    expected = sorted(p.relative_to(code).as_posix() for p in code.rglob("*")
                      if p.is_file() and not p.relative_to(code).as_posix().startswith("tests/"))
    assert sorted(relative.values()) == expected  # every file but tests/
    for address, body in deployed.items():
        assert base64.b64decode(body["content_base64"]) == (code / relative[address]).read_bytes()

    files = {}
    for job in demo["databricks_job"].values():
        for task in job["task"]:
            if "spark_python_task" in task:
                ref = re.fullmatch(r"\$\{databricks_workspace_file\.(\w+)\.workspace_path\}",
                                   task["spark_python_task"]["python_file"])
                assert ref, task["spark_python_task"]
                files[task["task_key"]] = relative[ref.group(1)]
    assert files == {"record_features": "src/feature_engineering.py", "Train": "src/train.py",
                     "ModelValidation": "src/validate.py", "ModelDeployment": "src/deploy.py",
                     "BatchInference": "src/batch_inference.py",
                     "ComputeDriftMetric": "src/compute_drift_metric.py"}
    pipeline = next(iter(demo["databricks_pipeline"].values()))
    assert [lib["file"]["path"] for lib in pipeline["library"]] == [f"/Workspace{root}pipelines/ingest.py"]


def test_every_stack_with_the_new_project_validates_and_plans_offline(synthesized, verdicts) -> None:
    assert set(verdicts) == set(synthesized.stacks) >= {"dev", "staging", "prod"}
    for name, result in verdicts.items():
        assert result.ok, f"{name}:\n{result.failure_text()}"
        planned = set(result.actions())
        demo = {f"{rtype}.{address}" for rtype, resources in demo_resources(synthesized, name).items()
                for address in resources}
        assert demo and demo <= planned, name


def test_the_command_line_flow_new_project_synth_plan(tmp_path, terraform) -> None:
    """What a user runs: the console entry point, in their checkout (here a copy)."""
    shutil.copytree(EXAMPLE_CONFIG, tmp_path / "config")
    env_cmd = [sys.executable, "-m", "mlops_tools"]
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    created = subprocess.run([*env_cmd, "new-project", "demo"], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=300)
    assert created.returncode == 0, created.stderr
    plan = subprocess.run([*env_cmd, "plan", "--env", "dev", "--outdir", str(tmp_path / "out")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    assert "1 stack(s): 1 planned, 0 failed" in plan.stdout
    assert "dev-demo-training-job" in (tmp_path / "out" / "plans" / "dev.txt").read_text()

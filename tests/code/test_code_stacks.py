"""Code sources in the synthesized JSON and through real offline terraform validate + plan:
a workspace source (files and notebooks with content hashes, job paths resolved to them), a
volume source (wheels uploaded to the project volume, installed by exact file name), and Git
credentials whose token only a sensitive variable carries."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from code_support import FILES, PROJECT, SP, write_repo, write_wheel

from mlops_tools.offline.harness import verify_stack
from support import synth_config

TOKEN_LIKE = "ghp_" + "Z" * 36  # what a user would put in TF_VAR_...; must never reach any file


def job(stack: dict, name: str) -> dict:
    (hit,) = [v for k, v in stack["resource"]["databricks_job"].items() if k.startswith(f"cs_{name}_job")]
    return hit


def tasks(j: dict) -> dict[str, dict]:
    return {t["task_key"]: t for t in j["task"]}


# --------------------------------------------------------------------------- workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    config = write_repo(root)
    return synth_config(config, root / "out")


def test_each_file_is_one_resource_with_its_content_and_hash(workspace):
    dev = workspace.stacks["dev"]["resource"]
    files = {v["path"]: v for v in dev["databricks_workspace_file"].values()}
    notebooks = {v["path"]: v for v in dev["databricks_notebook"].values()}
    root = "/Shared/mlops/dev-cs/code"
    assert set(files) == {f"{root}/common/features.py", f"{root}/deploy/deploy.py"}
    assert set(notebooks) == {f"{root}/queries/report", f"{root}/training/Train", f"{root}/training/Validate"}
    train = notebooks[f"{root}/training/Train"]
    content = FILES["training/Train.py"].encode()
    assert train["language"] == "PYTHON" and notebooks[f"{root}/queries/report"]["language"] == "SQL"
    assert base64.b64decode(train["content_base64"]) == content
    assert train["md5"] == hashlib.md5(content).hexdigest()  # noqa: S324
    assert "source" not in train  # the JSON is self-contained: no local path
    prod = workspace.stacks["prod"]["resource"]["databricks_notebook"]
    assert {v["path"] for v in prod.values()} >= {"/Shared/mlops/cs/code/training/Train"}  # per environment


def test_job_paths_resolve_to_the_deployed_objects_without_git_source(workspace):
    dev = workspace.stacks["dev"]
    t = job(dev, "training")
    assert "git_source" not in t
    by_key = tasks(t)
    nb = by_key["Train"]["notebook_task"]
    assert nb["source"] == "WORKSPACE" and nb["notebook_path"].startswith("${databricks_notebook.cs_code_file_training_Train_py_")
    assert nb["notebook_path"].endswith(".path}")
    py = by_key["ModelDeployment"]["spark_python_task"]
    assert py["source"] == "WORKSPACE" and py["python_file"].endswith(".workspace_path}")


def test_addresses_come_from_paths(workspace):
    ids = sorted(workspace.stacks["dev"]["resource"]["databricks_notebook"])
    assert all(i.startswith("cs_code_file_") for i in ids)
    assert any("training_Train_py" in i for i in ids)


@pytest.mark.terraform
def test_workspace_source_validates_and_plans(workspace, terraform):
    result = verify_stack(workspace.stack_dir("dev"))
    assert result.ok, result.failure_text()
    created = {a for a, actions in result.actions().items() if actions == ["create"]}
    assert sum(a.startswith("databricks_notebook.cs_code_") for a in created) == 3
    assert sum(a.startswith("databricks_workspace_file.cs_code_") for a in created) == 2


def test_template_text_in_code_and_names_stays_literal(tmp_path):
    files = {**FILES, "common/x${HOME}.py": "print('${var.x} %{ if true }')\n"}
    config = write_repo(tmp_path, files=files)
    out = synth_config(config, tmp_path / "out")
    dev = out.stacks["dev"]["resource"]["databricks_workspace_file"]
    (hit,) = [v for v in dev.values() if "HOME" in v["path"]]
    assert hit["path"] == "/Shared/mlops/dev-cs/code/common/x$${HOME}.py"  # Terraform reads the literal text
    assert base64.b64decode(hit["content_base64"]) == files["common/x${HOME}.py"].encode()


# --------------------------------------------------------------------------- volume

VOLUME = PROJECT.replace("source: workspace", "source: volume\n  volume: artifacts").replace(
    "jobs:\n", "jobs:\n  workspace_root: /Workspace/Shared/cs\n  compute:\n    default: {cluster: {num_workers: 1}}\n"
               "    serverless: {serverless: {}}\n").replace(
    "      deploy: {python_script: deploy/deploy.py}",
    "      deploy: {python_wheel: {package_name: cs-model, entry_point: score}}\n"
    "  batch_inference:\n    compute: serverless\n    input_table: models.x\n"
    "    task: {python_wheel: {package_name: cs_model, entry_point: score}}")


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    root = tmp_path_factory.mktemp("vol")
    config = write_repo(root, VOLUME)
    wheel = write_wheel(root / "projects" / "cs" / "dist", version="1.2.3")
    return synth_config(config, root / "out"), wheel


def test_wheels_are_uploaded_and_installed_by_exact_file_name(volume):
    out, wheel = volume
    dev = out.stacks["dev"]["resource"]
    (upload,) = dev["databricks_file"].values()
    assert upload["path"].startswith("${databricks_volume.cs_volume_artifacts_")
    assert upload["path"].endswith(".volume_path}/wheels/cs_model-1.2.3-py3-none-any.whl")
    assert base64.b64decode(upload["content_base64"]) == wheel.read_bytes()
    assert upload["md5"] == hashlib.md5(wheel.read_bytes()).hexdigest()  # noqa: S324
    (address,) = dev["databricks_file"]
    deploy = tasks(job(out.stacks["dev"], "training"))["ModelDeployment"]
    assert deploy["python_wheel_task"] == {"entry_point": "score", "package_name": "cs-model",
                                           "named_parameters": deploy["python_wheel_task"]["named_parameters"]}
    assert deploy["library"] == [{"whl": f"${{databricks_file.{address}.path}}"}]
    # serverless: the wheel goes into the environment's dependencies, not a task library
    bi = job(out.stacks["dev"], "batch_inference")
    (env,) = bi["environment"]
    assert f"${{databricks_file.{address}.path}}" in env["spec"]["dependencies"]
    assert "library" not in tasks(bi)[next(iter(tasks(bi)))]


@pytest.mark.terraform
def test_volume_source_validates_and_plans(volume, terraform):
    out, _ = volume
    result = verify_stack(out.stack_dir("dev"))
    assert result.ok, result.failure_text()
    assert any(a.startswith("databricks_file.cs_code_wheels_wheel_cs_model") for a in result.actions())


# --------------------------------------------------------------------------- git credentials

CREDENTIAL = PROJECT.replace("source: workspace", "source: git\n  git_credential: {username: cs-bot}").replace(
    "jobs:\n", "jobs:\n  git_source: {url: 'https://github.com/example-org/private-cs', branch: main}\n")


@pytest.fixture(scope="module")
def credential(tmp_path_factory):
    root = tmp_path_factory.mktemp("cred")
    config = write_repo(root, CREDENTIAL)
    return synth_config(config, root / "out")


def test_credential_for_the_run_as_principal_through_its_own_provider(credential):
    dev = credential.stacks["dev"]
    (cred,) = dev["resource"]["databricks_git_credential"].values()
    assert cred["git_provider"] == "gitHub" and cred["git_username"] == "cs-bot"
    assert cred["personal_access_token"] == "${var.git_credential_cs_token}"
    assert cred["provider"] == "databricks.git_cs_one_sp"
    variables = dev["variable"]
    assert variables["git_credential_cs_token"]["sensitive"] is True
    assert variables["git_credential_cs_one_sp_client_secret"]["sensitive"] is True
    providers = dev["provider"]["databricks"]
    (aliased,) = [p for p in providers if p.get("alias") == "git_cs_one_sp"]
    assert aliased["client_id"] == SP and aliased["auth_type"] == "oauth-m2m"
    assert aliased["client_secret"] == "${var.git_credential_cs_one_sp_client_secret}"
    assert aliased["host"] == next(p for p in providers if "alias" not in p)["host"]


def test_no_token_value_in_any_synthesized_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_VAR_git_credential_cs_token", TOKEN_LIKE)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN_LIKE)
    config = write_repo(tmp_path, CREDENTIAL)
    out = synth_config(config, tmp_path / "out")
    assert out.stacks["dev"]["resource"]["databricks_git_credential"]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert TOKEN_LIKE not in path.read_text(errors="replace"), path


@pytest.mark.terraform
def test_credential_validates_and_plans(credential, terraform):
    result = verify_stack(credential.stack_dir("dev"))
    assert result.ok, result.failure_text()
    assert any(a.startswith("databricks_git_credential.cs_git_credential_one_sp") for a in result.actions())


def test_credential_without_run_as_is_the_deployers(tmp_path):
    project = CREDENTIAL.replace("  run_as: one_sp\n", "") + (
        "environments:\n  staging: {jobs: {run_as: one_sp}}\n  prod: {jobs: {run_as: one_sp}}\n")
    config = write_repo(tmp_path, project)
    out = synth_config(config, tmp_path / "out")
    (cred,) = out.stacks["dev"]["resource"]["databricks_git_credential"].values()
    assert "provider" not in cred
    assert [p for p in out.stacks["dev"]["provider"]["databricks"] if "alias" in p] == []
    (staging,) = out.stacks["staging"]["resource"]["databricks_git_credential"].values()
    assert staging["provider"] == "databricks.git_cs_one_sp"


def test_credential_for_a_principal_created_at_apply_is_refused_with_file_and_line(tmp_path):
    from platform_config import ConfigError  # noqa: F401
    from databricks_spec.diagnostics import MlopsError

    project = CREDENTIAL.replace(f"service_principals: [{SP}]", "service_principals: [jobs_runner]")
    config = write_repo(tmp_path, project)
    with pytest.raises(MlopsError) as info:
        synth_config(config, tmp_path / "out")
    problem = info.value.diagnostics[0]
    assert problem.file.endswith("config/projects/cs.yaml") and problem.key == "code.git_credential"
    assert problem.line > 0 and "created in this environment" in problem.summary
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- git folder (source git)

GIT_FOLDER = PROJECT.replace("source: workspace", "source: git\n  git_folder: true").replace(
    "jobs:\n", "jobs:\n  git_source: {url: 'https://github.com/example-org/cs', branch: dev}\n") + (
    "environments:\n  prod:\n    jobs: {git_source: {branch: null, tag: v1.0.0}}\n")


@pytest.fixture(scope="module")
def git_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("gitfolder")
    return synth_config(write_repo(root, GIT_FOLDER), root / "out")


def test_git_folder_per_environment_pinned_to_branch_or_tag(git_folder):
    repos = {env: [v for k, v in git_folder.stacks[env]["resource"]["databricks_repo"].items() if k.startswith("cs_")]
             for env in ("dev", "prod")}
    (dev,), (prod,) = repos["dev"], repos["prod"]
    assert dev["path"] == "/Repos/mlops/dev-cs" and dev["branch"] == "dev" and "tag" not in dev
    assert prod["path"] == "/Repos/mlops/cs" and prod["tag"] == "v1.0.0" and "branch" not in prod
    perms = [v for k, v in git_folder.stacks["dev"]["resource"]["databricks_permissions"].items()
             if k.startswith("cs_pipeline_code")]
    assert perms[0]["access_control"] == [{"permission_level": "CAN_READ", "service_principal_name": SP}]
    assert job(git_folder.stacks["dev"], "training")["git_source"]["branch"] == "dev"  # jobs still run from git


@pytest.mark.terraform
def test_git_folder_validates_and_plans(git_folder, terraform):
    result = verify_stack(git_folder.stack_dir("prod"))
    assert result.ok, result.failure_text()


def test_git_folder_cannot_follow_a_commit(tmp_path):
    from test_code_config import problems

    project = GIT_FOLDER.replace("branch: null, tag: v1.0.0", "branch: null, commit: abcdef1")
    found = problems(write_repo(tmp_path, project))
    assert any(p.key == "code.git_folder" and "not a commit" in p.summary for p in found)


# --------------------------------------------------------------------------- pipelines with a workspace source

PIPELINE = PROJECT + (
    "pipelines:\n  ingest:\n    schema: models\n    run_as: one_sp\n    libraries:\n      - file: pipelines/ingest.py\n"
    "      - notebook: training/Train\n")


def test_pipeline_libraries_resolve_below_the_code_root(tmp_path):
    config = write_repo(tmp_path, PIPELINE, files={**FILES, "pipelines/ingest.py": "import dlt\n"})
    out = synth_config(config, tmp_path / "out")
    dev = out.stacks["dev"]["resource"]
    (pipeline,) = [v for k, v in dev["databricks_pipeline"].items() if k.startswith("cs_")]
    assert pipeline["library"] == [{"file": {"path": "/Workspace/Shared/mlops/dev-cs/code/pipelines/ingest.py"}},
                                   {"notebook": {"path": "/Shared/mlops/dev-cs/code/training/Train"}}]
    assert not [k for k in dev.get("databricks_repo", {}) if k.startswith("cs_")]  # no Git folder needed
    assert any(v["path"] == "/Shared/mlops/dev-cs/code/pipelines/ingest.py"
               for v in dev["databricks_workspace_file"].values())


def test_pipeline_library_missing_from_the_folder(tmp_path):
    from test_code_config import problems

    found = problems(write_repo(tmp_path, PIPELINE))
    assert any(p.key == "pipelines.ingest.libraries[0].file" and "no file 'pipelines/ingest.py'" in p.summary
               for p in found), found


def test_per_project_layout_keeps_code_credentials_and_outputs_in_the_project_stack(tmp_path):
    config = write_repo(tmp_path, CREDENTIAL.replace("source: git", "source: workspace"))
    dev = config / "environments" / "dev.yaml"
    dev.write_text(dev.read_text() + "stacks:\n  layout: per-project\n")
    out = synth_config(config, tmp_path / "out")
    stack = out.stacks["dev-cs"]
    assert len(stack["resource"]["databricks_notebook"]) == 3
    assert "git_credential_cs_token" in stack["variable"]
    assert any(p.get("alias") == "git_cs_one_sp" for p in stack["provider"]["databricks"])
    assert stack["output"]["cs_code_root"]["value"] == "/Shared/mlops/dev-cs/code"
    assert "cs_job_training_id" in stack["output"]
    assert "git_source" not in job(stack, "training")  # source workspace wins over jobs.git_source
    assert "databricks_notebook" not in out.stacks["dev-platform"].get("resource", {})

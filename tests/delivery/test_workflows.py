"""The GitHub Actions workflows shipped for users: actionlint-clean and structurally right."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from delivery_support import PROJECT_ROOT

from mlops_tools.cli import _parser

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
MARKER = "<!-- mlops-plan-review -->"


def _actionlint() -> str:
    local = Path(sys.executable).parent / "actionlint"
    found = str(local) if local.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint not found: install the dev packages (pipenv sync --dev)")
    return found


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict]:
    return {path.name: _load(path.name) for path in FILES}


def test_the_expected_workflows_exist():
    assert {p.name for p in FILES} >= {"pull-request.yml", "deploy.yml", "deploy-staging.yml", "release.yml",
                                       "pr-comment-fork.yml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actionlint_reports_nothing(path):
    proc = subprocess.run([_actionlint(), "-no-color", "-oneline", str(path)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_every_workflow_has_least_privilege_permissions_and_pinned_actions(workflows):
    for name, doc in workflows.items():
        assert doc.get("permissions") == {"contents": "read"}, f"{name}: top-level permissions must be read-only"
        text = (WORKFLOWS / name).read_text()
        for uses in re.findall(r"uses:\s*([^\s#]+)", text):
            if uses.startswith("./"):
                continue
            assert re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", uses), f"{name}: {uses} is not pinned"
        for job_name, job in doc["jobs"].items():
            granted = job.get("permissions", {})
            assert "write-all" not in str(granted) and granted.get("contents", "read") == "read", (name, job_name)


def _mlops_invocations(script: str) -> tuple[set[str], set[str]]:
    """(sub-commands, long options) the script passes to `python -m mlops_tools`, directly or
    through a bash array (`args=(review --title ...)`, `args+=(--allow-destroy)`)."""
    commands, options, in_array = set(), set(), False
    for line in script.splitlines():
        if (m := re.search(r"mlops_tools ([a-z][a-z-]*)", line)) or (m := re.search(r"args=\(([a-z][a-z-]*)", line)):
            commands.add(m.group(1))
        if "args=(" in line or "args+=(" in line:
            in_array = True
        if in_array or "mlops_tools" in line:
            options.update(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line))
        if in_array and line.rstrip().rstrip(";").endswith(")") or "args+=(" in line:
            in_array = False
    return commands, options


def test_workflows_call_only_commands_and_options_that_exist(workflows):
    sub = next(a for a in _parser()._actions if a.dest == "command")
    known_options = {o for parser in sub.choices.values() for o in parser._option_string_actions}
    used_commands, used_options = set(), set()
    for doc in workflows.values():
        for job in doc["jobs"].values():
            for step in job.get("steps", []):
                commands, options = _mlops_invocations(step.get("run", ""))
                used_commands |= commands
                used_options |= options
    assert used_commands == {"plan", "change-review", "review", "stacks"}
    assert used_commands <= set(sub.choices)
    assert used_options >= {"--allow-destroy", "--base", "--env", "--head-outdir", "--max-chars", "--title"}
    assert used_options <= known_options, used_options - known_options
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"^install:", makefile, re.M)  # `make install` in every job


def test_secrets_only_in_jobs_with_an_environment_and_documented(workflows):
    docs = (PROJECT_ROOT / "docs" / "delivery.md").read_text()
    used = set()
    for name, doc in workflows.items():
        for job_name, job in doc["jobs"].items():
            names = set(re.findall(r"secrets\.([A-Z_]+)", yaml.safe_dump(job)))
            if names:  # environment secrets reach only jobs that name the environment
                assert "environment" in job, f"{name}:{job_name} reads {names} without an environment"
            used |= names
    assert used == {"DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_TOKEN", "TF_API_TOKEN"}
    assert all(f"`{secret}`" in docs for secret in used)


def test_jsii_eol_warning_is_silenced(workflows):
    for name in ("pull-request.yml", "deploy.yml"):
        assert workflows[name]["env"]["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] == "20"


def test_pull_request_installs_from_locks_tests_verifies_and_reviews(workflows):
    doc = workflows["pull-request.yml"]
    assert "pull_request" in doc["on"] and "labeled" in doc["on"]["pull_request"]["types"]
    runs = "\n".join(step.get("run", "") for step in doc["jobs"]["verify"]["steps"])
    assert "make install" in runs  # pipenv sync --dev + npm ci (Makefile)
    assert "pytest" in runs and "mlops_tools plan" in runs and "change-review" in runs
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "pipenv sync --dev" in makefile and "npm ci" in makefile
    assert "allow-destroy" in doc["env"]["ALLOW_DESTROY"]
    checkout = doc["jobs"]["verify"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0


def test_real_plans_per_environment_only_with_credentials(workflows):
    plan = workflows["pull-request.yml"]["jobs"]["plan"]
    assert plan["strategy"]["matrix"]["environment"] == ["staging", "prod"]
    assert plan["environment"] == "${{ matrix.environment }}-plan"
    assert {"DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_TOKEN"} <= set(plan["env"])
    assert "TF_API_TOKEN" in plan["env"]["HAS_TF_API_TOKEN"]
    gated = [s for s in plan["steps"][1:] if "upload-artifact" not in s.get("uses", "") and "Fail" not in s.get("name", "")]
    assert all("steps.creds.outputs.configured == 'true'" in s.get("if", "") for s in gated)
    runs = "\n".join(s.get("run", "") for s in plan["steps"])
    assert "terraform show -json" in runs and "mlops_tools stacks --env" in runs


def test_one_comment_per_pr_updated_in_place(workflows):
    for name, job_name in (("pull-request.yml", "comment"), ("pr-comment-fork.yml", "comment")):
        job = workflows[name]["jobs"][job_name]
        assert job["permissions"] == {"pull-requests": "write"} if name == "pull-request.yml" else \
            job["permissions"] == {"actions": "read", "pull-requests": "write"}
        script = job["steps"][-1]["run"]
        assert MARKER in script and "--method PATCH" in script and "--method POST" in script
        assert 'github-actions[bot]' in script  # never edits a human's comment quoting the marker
    fork = workflows["pr-comment-fork.yml"]
    assert fork["on"]["workflow_run"]["workflows"] == ["Pull request"]
    assert not any("checkout" in s.get("uses", "") for s in fork["jobs"]["comment"]["steps"])
    assert workflows["pull-request.yml"]["name"] == "Pull request"


def test_merge_deploys_staging_and_release_deploys_prod_behind_the_prod_environment(workflows):
    staging, release, deploy = workflows["deploy-staging.yml"], workflows["release.yml"], workflows["deploy.yml"]
    assert staging["on"]["push"]["branches"] == ["main"]
    assert staging["jobs"]["deploy"]["with"]["environment"] == "staging"
    assert release["on"]["release"]["types"] == ["published"]
    assert "startsWith(github.ref, 'refs/tags/v')" in release["jobs"]["deploy"]["if"]  # manual: from a tag only
    assert release["jobs"]["deploy"]["with"]["environment"] == "prod"
    for doc in (staging, release):
        assert doc["jobs"]["deploy"]["uses"] == "./.github/workflows/deploy.yml"
        assert doc["jobs"]["deploy"]["secrets"] == "inherit"
    assert staging["concurrency"] == {"group": "deploy-staging", "cancel-in-progress": False}
    assert release["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    assert "workflow_call" in deploy["on"] and "concurrency" not in deploy  # callers hold the group
    apply = deploy["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.environment }}" and apply["needs"] == "plan"
    assert deploy["jobs"]["plan"]["environment"] == "${{ inputs.environment }}-plan"


def test_deploy_applies_stacks_in_dependency_order_after_the_review_gate(workflows):
    script = workflows["deploy.yml"]["jobs"]["apply"]["steps"][-1]["run"]
    assert "mlops_tools stacks --env" in script
    order = [script.index(s) for s in ("plan -input=false", "mlops_tools \"${review_args[@]}\"", "apply -input=false")]
    assert order == sorted(order)
    assert "apply -input=false -no-color -lock-timeout=10m tfplan" in script  # applies the reviewed plan

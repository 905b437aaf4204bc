"""The GitHub Actions workflows shipped for users: actionlint- and shellcheck-clean and structurally
right: the saved-plan hand-off, the untrusted-PR rules and the drift schedule."""

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
SCRIPTS = sorted((PROJECT_ROOT / ".github" / "scripts").glob("*.sh"))
MARKER = "<!-- mlops-plan-review -->"


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install the dev packages (pipenv sync --dev)")
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
    # -shellcheck: every `run:` script is shellchecked too (actionlint skips that silently without it)
    proc = subprocess.run([_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck"),
                           str(path)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_shellcheck_reports_nothing_on_the_hand_off_scripts():
    assert {p.name for p in SCRIPTS} >= {"plan-stacks.sh", "apply-plans.sh"}
    proc = subprocess.run([_tool("shellcheck"), "--severity=style", *map(str, SCRIPTS)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shellcheck_is_wired_in_and_would_catch_a_bug(tmp_path):
    """The lint cannot pass vacuously: the same invocation flags an unquoted variable."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: |\n          f=$(ls)\n          cat $f\n")
    proc = subprocess.run([_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck"),
                           str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0 and "SC2086" in proc.stdout


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
    assert used_commands == {"plan", "change-review", "review", "drift"}
    scripts = "\n".join(p.read_text() for p in SCRIPTS)
    assert "mlops_tools stacks --env" in scripts  # the plan script orders the stacks
    assert used_commands <= set(sub.choices)
    assert used_options >= {"--allow-destroy", "--base", "--env", "--head-outdir", "--max-chars", "--title",
                            "--plans-dir", "--output-dir"}
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
    for name in ("pull-request.yml", "deploy.yml", "pr-comment-fork.yml", "drift.yml"):
        assert workflows[name]["env"]["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] == "20"


def test_setup_node_uses_node_22(workflows):
    for name, doc in workflows.items():
        for job in doc["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/setup-node@"):
                    assert step["with"]["node-version"] == "22", name


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
    assert "plan-stacks.sh" in runs and "--plans-dir plans/review" in runs
    # the PR's code runs here: only the read-only credentials of <env>-plan, never a deploy environment
    assert plan["env"]["ARM_CLIENT_ID"] == "${{ vars.ARM_CLIENT_ID }}"
    assert "-lock=false" in next(s for s in plan["steps"] if s.get("id") == "plan")["env"]["TF_PLAN_ARGS"]


def test_one_comment_per_pr_updated_in_place(workflows):
    for name, job_name in (("pull-request.yml", "comment"), ("pr-comment-fork.yml", "comment")):
        job = workflows[name]["jobs"][job_name]
        assert job["permissions"] == ({"pull-requests": "write"} if name == "pull-request.yml" else
                                      {"contents": "read", "actions": "read", "pull-requests": "write"})
        script = job["steps"][-1]["run"]
        assert "--method PATCH" in script and "--method POST" in script
        assert 'github-actions[bot]' in script  # never edits a human's comment quoting the marker
        assert MARKER in "\n".join(s.get("run", "") for s in job["steps"])
    assert workflows["pull-request.yml"]["name"] == "Pull request"


def test_fork_comments_are_rendered_by_the_base_branch_from_plan_data(workflows):
    fork = workflows["pr-comment-fork.yml"]
    assert fork["on"]["workflow_run"]["workflows"] == ["Pull request"]
    steps = fork["jobs"]["comment"]["steps"]
    (checkout,) = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"  # never the fork's code
    assert checkout["with"]["persist-credentials"] is False
    text = (WORKFLOWS / "pr-comment-fork.yml").read_text()
    assert "head_sha }}" not in str(checkout) and "head_branch" not in str(checkout)
    (download,) = [s for s in steps if s.get("uses", "").startswith("actions/download-artifact@")]
    assert download["with"]["name"] == "plan-data-offline"  # plan JSON only, not the fork's Markdown
    assert "pattern" not in download["with"] and "plan-review-" not in text
    review = next(s["run"] for s in steps if "mlops_tools review" in s.get("run", ""))
    assert "--plans-dir" in review and "--max-chars" in review and "MAX_ARTIFACT_BYTES" in review
    # the PR's run uploads that data: plan JSON and Terraform output, no Markdown
    verify = workflows["pull-request.yml"]["jobs"]["verify"]
    upload = next(s for s in verify["steps"] if s.get("with", {}).get("name") == "plan-data-offline")
    assert upload["with"]["path"] == "plan-data/offline/"
    assert "--plans-dir plan-data/offline" in next(s["run"] for s in verify["steps"] if s.get("id") == "review")


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


def test_deploy_hands_the_saved_plans_from_plan_to_apply(workflows):
    """Upload in plan, download + apply in apply, no `terraform plan` in apply."""
    deploy = workflows["deploy.yml"]
    plan, apply = deploy["jobs"]["plan"], deploy["jobs"]["apply"]
    artifact = "${{ env.PLAN_ARTIFACT }}"
    assert deploy["env"]["PLAN_ARTIFACT"] == "tfplan-${{ inputs.environment }}-${{ github.run_attempt }}"
    plan_runs = "\n".join(s.get("run", "") for s in plan["steps"])
    assert 'plan-stacks.sh "$ENVIRONMENT" cdktf.out plans' in plan_runs
    assert "--plans-dir plans/review" in plan_runs and "GITHUB_STEP_SUMMARY" in plan_runs  # approvers see it
    (upload,) = [s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["name"] == artifact and upload["with"]["path"] == "plans/"
    assert upload["with"]["include-hidden-files"] is True and upload["with"]["if-no-files-found"] == "error"
    names = [s.get("uses", s.get("name", "")) for s in apply["steps"]]
    (download,) = [s for s in apply["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    assert download["with"] == {"name": artifact, "path": "plans"}
    apply_step = apply["steps"][-1]
    assert apply_step["run"] == "bash .github/scripts/apply-plans.sh plans"
    assert names.index(download["uses"]) < len(names) - 1
    # nothing is planned or synthesized in the apply job
    apply_text = yaml.safe_dump(apply)
    assert "plan-stacks.sh" not in apply_text and "main.py" not in apply_text and "make install" not in apply_text
    script = (PROJECT_ROOT / ".github" / "scripts" / "apply-plans.sh").read_text()
    commands = [line.strip() for line in script.splitlines() if not line.strip().startswith("#")]
    assert not [c for c in commands if re.search(r"terraform\b.*\bplan\b(?!s)", c)], "apply must not plan"
    assert 'apply -input=false -no-color -lock-timeout=10m tfplan' in script
    assert "Saved plan is stale" in script and "Re-run this workflow" in script
    assert '< "$plans/stacks.txt"' in script  # the order recorded by the plan job
    plan_script = (PROJECT_ROOT / ".github" / "scripts" / "plan-stacks.sh").read_text()
    assert "mlops_tools stacks --env" in plan_script and "-out=tfplan" in plan_script
    assert apply["environment"] == "${{ inputs.environment }}" and plan["environment"].endswith("-plan")


def test_drift_runs_nightly_and_on_demand_with_read_only_credentials(workflows):
    drift = workflows["drift.yml"]
    assert drift["on"]["schedule"][0]["cron"] and "workflow_dispatch" in drift["on"]
    job = drift["jobs"]["drift"]
    assert job["environment"] == "${{ matrix.environment }}-plan"
    assert job["strategy"]["matrix"]["environment"] == "${{ fromJSON(needs.environments.outputs.list) }}"
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert 'mlops_tools drift --env "$ENVIRONMENT" --output-dir drift' in runs
    assert "gh issue create" in runs and "gh issue edit" in runs and "--body-file body.md" in runs
    assert 'title="Drift: $ENVIRONMENT"' in runs  # one issue per environment
    listing = "\n".join(s.get("run", "") for s in drift["jobs"]["environments"]["steps"])
    assert "mlops_tools drift --list" in listing
    from mlops_tools.review import drift as drift_module
    assert "-detailed-exitcode" in Path(drift_module.__file__).read_text()

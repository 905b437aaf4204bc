"""`mlops new-project NAME`: what it writes, that the config it writes validates and names code
that exists, and that every refusal is exit 2 with nothing written (no jsii)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import EXAMPLE_CONFIG, ROOT, snapshot
from mlops_tools import new_project
from mlops_tools.cli import main


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository-shaped folder: a copy of the shipped config/ (no projects/ folder yet)."""
    shutil.copytree(EXAMPLE_CONFIG, tmp_path / "config")
    return tmp_path


def run(repo: Path, name: str, *options: str) -> int:
    return main(["new-project", "--config", str(repo / "config"), *options, "--", name])


def tree(repo: Path) -> dict[str, bytes]:
    return snapshot(repo)


def task_paths(project: dict) -> list[str]:
    """Every code path the project's jobs and pipelines name."""
    paths = []
    jobs = project["jobs"]
    for kind in ("feature_engineering", "batch_inference", "retraining"):
        paths.append(jobs[kind]["task"]["python_script"])
    paths += [task["python_script"] for task in jobs["training"]["tasks"].values()]
    for pipeline in project["pipelines"].values():
        paths += [library["file"] for library in pipeline["libraries"]]
    return paths


def test_writes_the_config_and_the_code_and_the_config_validates(repo, capsys) -> None:
    from resolution.checks import load_checked

    assert run(repo, "demo") == 0
    out = capsys.readouterr().out
    assert "created" in out and "projects/demo" in out and "mlops plan" in out
    config_file = repo / "config" / "projects" / "demo.yaml"
    project = yaml.safe_load(config_file.read_text())
    assert project["name"] == "demo" and project["owner"] == "demo-team@example.com"
    from mlops_tools.schema_command import schema_comment  # editors find the schema (issue 17 item 4)
    assert config_file.read_text().splitlines()[0] == schema_comment("projects")
    code = repo / "projects" / "demo"
    for path in task_paths(project):  # every task path points at a file the template wrote
        assert (code / path).is_file(), path
    assert set(project["jobs"]) >= {"feature_engineering", "training", "batch_inference", "retraining"}
    assert project["jobs"]["retraining"]["drift"]["metric"] == "js_distance"
    assert project["monitors"]["predictions"]["table"] == project["jobs"]["batch_inference"]["output_table"]
    assert project["code"]["source"] == "workspace" and "git_source" not in project["jobs"]  # nothing external

    platform = load_checked(repo / "config")
    for env, targets in platform.targets.items():
        demo = next(t for t in targets if t.project.name == "demo")
        assert demo.project.code.source == "workspace" and demo.project.code.folder_for("demo") == "projects/demo"
        assert {kind for kind, _ in demo.project.jobs.enabled_jobs()} == {
            "feature_engineering", "training", "batch_inference", "retraining"}, env
        if platform.environments[env].require_job_run_as:  # staging and prod
            assert demo.project.jobs.run_as == "job_runners", env
            assert demo.project.pipelines["ingest"].run_as == "job_runners", env
        else:
            assert demo.project.jobs.run_as is None, env
    assert not [p for p in repo.iterdir() if p.name.startswith(".mlops-new-project-")]  # staging removed


def test_every_template_file_is_rendered_without_placeholders_or_terraform_syntax(repo) -> None:
    assert run(repo, "fraud-eu", "--owner", "Fraud Team") == 0
    rendered = [p for p in (repo / "projects" / "fraud-eu").rglob("*") if p.is_file()]
    rendered.append(repo / "config" / "projects" / "fraud-eu.yaml")
    template = [p for p in new_project.TEMPLATE_DIR.rglob("*") if p.is_file()]
    assert len(rendered) == len(template) > 20
    assert not [p for p in rendered if p.suffix == ".tmpl"]
    for path in rendered:
        text = path.read_text()
        assert not re.search(r"__(PROJECT|UC|OWNER|CODE)__", text), path
        assert "${" not in text and "%{" not in text, path  # Terraform would evaluate them
    config = (repo / "config" / "projects" / "fraud-eu.yaml").read_text()
    assert 'owner: "Fraud Team"' in config and "name: fraud-eu" in config
    assert "projects/fraud-eu" in (repo / "projects" / "fraud-eu" / "README.md").read_text()
    assert "fraud_eu_features/raw/records" in config and "named fraud_eu_<key>" in config


@pytest.mark.parametrize("name", ["Demo", "1demo", "demo project", "de.mo", "${demo}", "a" * 64, "../demo",
                                  "demo/x", "", "-demo", "démo"])
def test_an_invalid_name_is_exit_2_and_nothing_is_written(repo, capsys, name) -> None:
    before = tree(repo)
    assert run(repo, name) == 2
    err = capsys.readouterr().err
    assert "invalid project name" in err and "lowercase letter" in err
    assert tree(repo) == before and not (repo / "projects").exists()


@pytest.mark.parametrize("existing", ["config/projects/churn.yaml", "config/projects/demo.yml", "projects/demo"])
def test_a_name_that_exists_is_exit_2_and_nothing_is_written(repo, capsys, existing) -> None:
    name = "churn" if "churn" in existing else "demo"
    target = repo / existing
    if existing == "projects/demo":
        (target / "src").mkdir(parents=True)
        (target / "src" / "mine.py").write_text("x = 1\n")
    elif not target.exists():
        target.write_text((repo / "config" / "projects" / "churn.yaml").read_text().replace("name: churn", "name: demo"))
    before = tree(repo)
    assert run(repo, name) == 2
    err = capsys.readouterr().err
    assert f"project '{name}' exists already" in err and "nothing was written" in err
    assert tree(repo) == before


def test_a_generated_config_that_does_not_validate_is_exit_2_and_nothing_is_written(repo, capsys) -> None:
    """Staging and prod require a run_as role standing for one service principal."""
    before = tree(repo)
    assert run(repo, "demo", "--run-as", "readers") == 2  # a group in the example
    err = capsys.readouterr().err
    assert "the generated project 'demo' does not validate" in err
    shown = new_project._shown(repo / "config" / "projects" / "demo.yaml")
    assert f"{shown}:" in err and "jobs.run_as" in err  # the user's path, not the staging copy's
    assert ".mlops-new-project-" not in err and "nothing was written" in err
    assert tree(repo) == before and not [p for p in repo.iterdir() if p.name != "config"]


def test_a_name_that_normalizes_to_an_existing_project_is_exit_2(repo, capsys) -> None:
    """fraud-eu and fraud_eu would make the same schemas: the load check of the staged copy says so."""
    assert run(repo, "fraud-eu") == 0
    capsys.readouterr()
    before = tree(repo)
    assert run(repo, "fraud_eu") == 2
    err = capsys.readouterr().err
    assert "the generated project 'fraud_eu' does not validate" in err and "is the same Databricks object" in err
    assert f"({new_project._shown(repo / 'config' / 'projects' / 'fraud-eu.yaml')}:5)" in err
    assert ".mlops-new-project-" not in err and "does not exist" not in err  # no staging artefact
    assert tree(repo) == before


def test_a_second_project_validates_with_the_first_ones_code_in_place(repo, capsys) -> None:
    """The staged check sees the existing projects' code folders (workspace source reads them)."""
    assert run(repo, "demo") == 0
    first = tree(repo)
    assert run(repo, "other") == 0, capsys.readouterr().err
    after = tree(repo)
    assert {k: v for k, v in after.items() if k in first} == first  # the first project untouched
    assert "config/projects/other.yaml" in after and "projects/other/src/train.py" in after


def test_a_broken_existing_config_is_reported_and_nothing_is_written(repo, capsys) -> None:
    churn = repo / "config" / "projects" / "churn.yaml"
    churn.write_text(churn.read_text().replace("owner: churn-team@example.com", "owner: [not, a, string]"))
    before = tree(repo)
    assert run(repo, "demo") == 2
    err = capsys.readouterr().err
    assert "churn.yaml" in err and "owner" in err
    assert tree(repo) == before


def test_a_failed_move_leaves_nothing_behind(repo, capsys, monkeypatch) -> None:
    real_rename, calls = os.rename, []

    def rename(src, dst):
        calls.append(dst)
        if str(dst).endswith(".yaml"):  # the config file, moved after the code folder
            raise PermissionError(13, "Permission denied", str(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(new_project.os, "rename", rename)
    before = tree(repo)
    assert run(repo, "demo") == 2
    assert len(calls) == 2 and "cannot write the project" in capsys.readouterr().err
    assert tree(repo) == before and not (repo / "projects" / "demo").exists()
    assert not [p for p in repo.iterdir() if p.name.startswith(".mlops-new-project-")]


def test_config_dir_option_decides_where_both_go(tmp_path) -> None:
    repo = tmp_path / "infra"
    shutil.copytree(EXAMPLE_CONFIG, repo / "settings")
    assert main(["new-project", "demo", "--config", str(repo / "settings")]) == 0
    assert (repo / "settings" / "projects" / "demo.yaml").is_file()
    assert (repo / "projects" / "demo" / "src" / "train.py").is_file()


def test_a_folder_that_is_not_a_config_folder_is_exit_2(tmp_path, capsys) -> None:
    assert main(["new-project", "demo", "--config", str(tmp_path / "nowhere")]) == 2
    assert "not a config folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_is_registered_once_with_the_shared_config_option() -> None:
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and result.stdout.count("new-project") == 1
    from mlops_tools.cli import REGISTRY

    assert REGISTRY.shared["new-project"] == ("config",)


def test_the_template_ships_in_the_wheel(tmp_path) -> None:
    """The installed console script finds the template: it is package data of mlops_tools."""
    pytest.importorskip("setuptools")
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in ("databricks_spec", "platform_config", "resolution", "stacks", "mlops_constructs", "mlops_engine",
                    "mlops_tools"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(src)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("*.whl"))
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if "/templates/" in n}
    expected = {f"mlops_tools/templates/project/{p.relative_to(new_project.TEMPLATE_DIR).as_posix()}"
                for p in new_project.TEMPLATE_DIR.rglob("*.tmpl")}
    assert shipped == expected and len(expected) > 20


@pytest.mark.parametrize("options, message", [
    (["--owner", "${file(\"/etc/passwd\")}"], "invalid --owner"),
    (["--owner", "team\nname: other"], "invalid --owner"),
    (["--owner", ""], "invalid --owner"),
    (["--run-as", "Job Runners"], "invalid --run-as"),
])
def test_bad_options_are_exit_2_and_nothing_is_written(repo, capsys, options, message) -> None:
    before = tree(repo)
    assert run(repo, "demo", *options) == 2
    assert message in capsys.readouterr().err
    assert tree(repo) == before


def test_the_longest_valid_name_validates_with_every_derived_name(repo) -> None:
    """63 characters pass the name rule, and every name derived from it passes the staged check."""
    name = "p" * 63
    assert run(repo, name) == 0
    assert (repo / "config" / "projects" / f"{name}.yaml").is_file() and (repo / "projects" / name).is_dir()

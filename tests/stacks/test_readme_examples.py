"""The README's "Add an ML project" and "Add an environment" snippets work as written."""

from __future__ import annotations

import re

import pytest

from support import ROOT, synth_config


def readme_yaml(after: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(after)
    match = re.search(r"```yaml\n(.*?)```", text[start:], re.S)
    assert match, after
    return match.group(1)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    import shutil

    config = tmp_path_factory.mktemp("readme") / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "projects" / "fraud.yaml").write_text(readme_yaml("Create `config/projects/<name>.yaml`"))
    (config / "environments" / "qa.yaml").write_text(readme_yaml("Create `config/environments/<env>.yaml`"))
    return synth_config(config, config.parent / "out")


def test_new_project_appears_in_every_environment(synthesized) -> None:
    for stack in ("dev", "staging", "prod", "qa"):
        paths = [r["//"]["metadata"]["path"] for rs in synthesized.stacks[stack]["resource"].values()
                 for r in rs.values()]
        assert any(p.startswith(f"{stack}/fraud/model/") for p in paths), stack
        assert any(p.startswith(f"{stack}/fraud/experiment/") for p in paths), stack


def test_new_environment_gets_its_own_stack(synthesized) -> None:
    qa = synthesized.stacks["qa"]
    assert qa["provider"]["databricks"][0]["host"] == "https://adb-1234567890123456.7.azuredatabricks.net"
    catalogs = list(qa["resource"]["databricks_catalog"].values())
    assert [c["name"] for c in catalogs] == ["mlops_qa"]
    assert qa["terraform"]["backend"] == {"local": {"path": "terraform.qa.tfstate"}}


def test_add_an_ml_project_starts_with_new_project_and_its_commands_and_table_hold(tmp_path) -> None:
    """The section's first command is `mlops new-project NAME`; run as written, it writes every
    config unit and code file the section's table names, and the test command it shows passes."""
    import shutil
    import subprocess
    import sys

    import yaml

    from mlops_tools.cli import main

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Add an ML project"):text.index("## Add an environment")]
    commands = re.search(r"```bash\n(.*?)```", section, re.S).group(1).splitlines()
    first = commands[0].split("#")[0].split()
    assert first[:2] == ["mlops", "new-project"] and len(first) == 3
    name = first[2]
    shutil.copytree(ROOT / "config", tmp_path / "config")
    assert main([*first[1:], "--config", str(tmp_path / "config")]) == 0

    project = yaml.safe_load((tmp_path / "config" / "projects" / f"{name}.yaml").read_text())
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) >= 5
    for row in rows:
        unit_cell, code_cell = row.strip("|").split("|")[:2]
        for unit in re.findall(r"`((?:jobs|pipelines|monitors)\.\w+)`", unit_cell):
            top, key = unit.split(".")
            assert key in project[top], unit
        for ref in re.findall(r"`([\w/]+(?:\{[\w,]+\})?(?:\.py)?)`", code_cell):
            stem, _, rest = ref.partition("{")  # src/mlcore/{model,metrics}.py: one file each
            options, _, suffix = rest.partition("}")
            for option in options.split(",") if rest else [""]:
                path = stem + option + suffix
                assert (tmp_path / "projects" / name / path).is_file(), path

    test_command = next(c.split("#")[0].split() for c in commands if "pytest" in c)
    assert test_command[:3] == ["python", "-m", "pytest"]
    result = subprocess.run([sys.executable, *test_command[1:], "-q", "-p", "no:cacheprovider"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]

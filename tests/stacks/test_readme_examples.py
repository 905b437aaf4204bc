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

"""Item 1 of issue 11: no Terraform template evaluation of config strings.

Config strings holding ``${file(...)}`` or ``%{ if }`` reach the offline plan verbatim (the
loader escapes them once, after validation); token references the constructs build are
unaffected; the offline harness passes Terraform only an allowlisted environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG, edit_yaml, synth_config
from platform_config import load_platform
from platform_config.literals import escape_string, escape_templates

FILE_PROBE = '${file("/etc/hostname")}'
IF_PROBE = "%{ if true }evaluated%{ endif }"
VAR_PROBE = "budget ${var.x}"


def test_escape_string_is_terraforms_escape() -> None:
    assert escape_string(FILE_PROBE) == '$${file("/etc/hostname")}'
    assert escape_string(IF_PROBE) == "%%{ if true }evaluated%%{ endif }"
    assert escape_string("no templates {here}") == "no templates {here}"
    assert escape_string("$${already}") == "$$${already}"  # Terraform reads '$' then literal '${'


def test_escape_templates_keeps_identity_when_nothing_to_escape() -> None:
    platform = load_platform(EXAMPLE_CONFIG)
    env = next(iter(platform.environments.values()))
    assert escape_templates(env) is env
    data = {"a": [FILE_PROBE, {"k%{": 1}], "b": (1, "x")}
    assert escape_templates(data) == {"a": ['$${file("/etc/hostname")}', {"k%%{": 1}], "b": (1, "x")}


def _probe_config(config: Path) -> None:
    def project(data: dict) -> None:
        data["description"] = f"Churn {FILE_PROBE}"
        data["tags"] = {"probe": IF_PROBE, "budget": VAR_PROBE}
        data["schemas"]["features"]["comment"] = f"features {IF_PROBE}"
        data["jobs"]["training"]["name"] = "train-${file(\"/proc/self/environ\")}"
        data["jobs"]["training"]["parameters"] = {"probe": FILE_PROBE}
        data["jobs"]["compute"]["default"]["cluster"]["custom_tags"]["probe"] = IF_PROBE
        data["serving"]["endpoints"]["churn"]["description"] = f"scores {FILE_PROBE}"

    def env(data: dict) -> None:
        definition = data["compute"]["cluster_policies"]["ml-jobs"]["definition"]
        definition["custom_tags.probe"] = {"type": "fixed", "value": FILE_PROBE}

    edit_yaml(config, "projects/churn.yaml", project)
    edit_yaml(config, "environments/dev.yaml", env)


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
        if value.startswith("{"):
            try:
                yield from _strings(json.loads(value))
            except ValueError:
                pass


@pytest.mark.terraform
def test_template_probes_are_literal_in_the_offline_plan(config_copy: Path, tmp_path: Path, terraform: str) -> None:
    from mlops_tools.offline.harness import verify_stack

    _probe_config(config_copy)
    out = synth_config(config_copy, tmp_path / "out")
    planned: list[str] = []
    for name in sorted(out.stacks):
        if not name.startswith("dev"):
            continue
        result = verify_stack(out.stack_dir(name))
        assert result.ok, f"{name}:\n{result.failure_text()}"
        for change in result.plan["resource_changes"]:
            planned.extend(_strings(change["change"]["after"]))
    text = "\n".join(planned)
    expected = {
        "registered model comment / description": f"Churn {FILE_PROBE}",
        "tag": IF_PROBE,
        "tag with a variable": VAR_PROBE,
        "schema comment": f"features {IF_PROBE}",
        "job name": "train-${file(\"/proc/self/environ\")}",
        "task parameter": FILE_PROBE,
        "serving endpoint description": f"scores {FILE_PROBE}",
    }
    for what, probe in expected.items():
        assert probe in text, f"{what}: {probe!r} not verbatim in the plan"
    assert "evaluated" not in text.replace(IF_PROBE, "")
    host = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else None
    if host:
        assert f"Churn {host}" not in text
    policies = [json.loads(s) for s in planned if s.startswith("{") and "custom_tags.probe" in s]
    assert policies and all(p["custom_tags.probe"]["value"] == FILE_PROBE for p in policies), \
        "cluster-policy definition value"
    custom_tags = [s for s in planned if s == IF_PROBE]
    assert len(custom_tags) >= 2  # the project tag and the job cluster's custom tag


def test_serving_environment_variable_names_cannot_carry_templates(config_copy: Path) -> None:
    from support import config_problems

    def project(data: dict) -> None:
        entity = data["serving"]["endpoints"]["churn"]["entities"]["champion"]
        entity["environment_vars"] = {"X${file(\"/etc/hostname\")}": "{{secrets/mlops/alert_webhook}}"}

    edit_yaml(config_copy, "projects/churn.yaml", project)
    problems = config_problems(config_copy)
    assert any("environment_vars" in p.key and "not a valid environment variable name" in p.summary
               for p in problems), problems


def test_offline_terraform_gets_only_allowlisted_environment(monkeypatch, tmp_path: Path) -> None:
    from mlops_tools.offline.harness import terraform_env

    for name in ("DATABRICKS_TOKEN", "AWS_SECRET_ACCESS_KEY", "ARM_CLIENT_SECRET", "GITHUB_TOKEN",
                 "TF_TOKEN_app_terraform_io", "MY_API_KEY", "TF_VAR_password"):
        monkeypatch.setenv(name, "sekrit")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = terraform_env(tmp_path / "rc")
    assert "sekrit" not in env.values()
    assert env["PATH"] and env["LC_ALL"] == "C.UTF-8"
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "rc")

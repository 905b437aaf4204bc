"""`python -m mlops_tools stacks`: stacks of an environment in deploy order (manifest dependencies)."""

from __future__ import annotations

import json

from support import synth_config

from mlops_tools.cli import main
from mlops_tools.review.stacks import SynthStack, deploy_order, stack_environment

ENVS = ["dev", "prod", "prod-eu", "staging"]


def _manifest(tmp_path, stacks: dict[str, list[str]]):
    doc = {"stacks": {name: {"name": name, "dependencies": deps, "workingDirectory": f"stacks/{name}",
                             "synthesizedStackPath": f"stacks/{name}/cdk.tf.json"}
                      for name, deps in stacks.items()}, "version": "0.21.0"}
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(doc))
    config = tmp_path / "config" / "environments"
    config.mkdir(parents=True)
    for env in ENVS:
        (config / f"{env}.yaml").write_text("{}\n")


def test_dependencies_come_first_and_ties_by_name():
    stacks = {n: SynthStack(n, None, tuple(d)) for n, d in {
        "prod-churn": ["prod-platform"], "prod-platform": [], "prod-fraud": ["prod-platform"], "dev": []}.items()}
    assert deploy_order(stacks) == ["dev", "prod-platform", "prod-churn", "prod-fraud"]


def test_stack_environment_takes_the_longest_matching_environment():
    assert stack_environment("prod", ENVS) == "prod"
    assert stack_environment("prod-platform", ENVS) == "prod"
    assert stack_environment("prod-eu-churn", ENVS) == "prod-eu"
    assert stack_environment("qa", ENVS) is None


def test_stacks_command_prints_one_environment_in_deploy_order(tmp_path, capsys):
    _manifest(tmp_path, {"prod-platform": [], "prod-churn": ["prod-platform"], "prod-eu-platform": [],
                         "staging": []})
    args = ["stacks", "--outdir", str(tmp_path / "out"), "--config", str(tmp_path / "config")]
    assert main([*args, "--env", "prod"]) == 0
    assert capsys.readouterr().out.split() == ["prod-platform", "prod-churn"]
    assert main([*args, "--env", "prod-eu", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["name"] == "prod-eu-platform" and entry["environment"] == "prod-eu"
    assert main([*args, "--env", "nope"]) == 2


def test_real_per_project_synth_deploys_the_platform_stack_first(config_copy, tmp_path, capsys):
    """Synthesized per-project layout: `aaa-fraud` sorts before `platform` by name, the order
    must still put the platform stack first (manifest dependencies from stack.add_dependency)."""
    staging = config_copy / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "stacks:\n  layout: per-project\n")
    churn = (config_copy / "projects" / "churn.yaml").read_text()
    (config_copy / "projects" / "aaa-fraud.yaml").write_text(
        churn.replace("name: churn", "name: aaa-fraud").replace("name: churn_model", "name: fraud_model"))
    out = synth_config(config_copy, tmp_path / "out").outdir
    assert main(["stacks", "--outdir", str(out), "--config", str(config_copy), "--env", "staging"]) == 0
    assert capsys.readouterr().out.split() == ["staging-platform", "staging-aaa-fraud", "staging-churn"]

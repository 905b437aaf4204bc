"""cdktf.out/stacks.json: what synth records about each stack, and readers that use it
instead of guessing the environment from a stack name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_tools.cli import main
from mlops_tools.stack_index import index_for, read_index, write_index
from stacks.layout import StackSpec
from support import synth_config

SPECS = [
    StackSpec("prod-platform", "prod", True, (), (), "per-project"),
    StackSpec("prod-eu", "prod", False, ("eu",), ("prod-platform",), "per-project"),  # project "eu"
    StackSpec("dev", "dev", True, ("churn",), (), "per-environment"),
]


def outdir_with(tmp_path: Path, specs: list[StackSpec]) -> tuple[Path, Path]:
    out = tmp_path / "out"
    out.mkdir()
    manifest = {"stacks": {s.name: {"name": s.name, "dependencies": list(s.depends_on),
                                    "workingDirectory": f"stacks/{s.name}",
                                    "synthesizedStackPath": f"stacks/{s.name}/cdk.tf.json"} for s in specs}}
    (out / "manifest.json").write_text(json.dumps(manifest))
    write_index(out, specs)
    config = tmp_path / "config" / "environments"
    config.mkdir(parents=True)
    for env in ("dev", "prod", "prod-eu"):  # prod-eu is also an environment: the name guess is wrong
        (config / f"{env}.yaml").write_text("{}\n")
    return out, tmp_path / "config"


def test_index_records_environment_layout_dependencies_and_order() -> None:
    index = index_for(SPECS)
    assert index["format"] == 1
    assert index["deploy_order"] == ["dev", "prod-platform", "prod-eu"]
    assert index["stacks"]["prod-eu"] == {"environment": "prod", "layout": "per-project",
                                          "dependencies": ["prod-platform"], "projects": ["eu"],
                                          "holds_platform": False, "directory": "stacks/prod-eu"}


def test_stacks_command_reads_the_environment_from_the_index(tmp_path: Path, capsys) -> None:
    out, config = outdir_with(tmp_path, SPECS)
    args = ["stacks", "--outdir", str(out), "--config", str(config)]
    assert main([*args, "--env", "prod"]) == 0
    assert capsys.readouterr().out.split() == ["prod-platform", "prod-eu"]
    assert main([*args, "--env", "prod-eu"]) == 0
    assert capsys.readouterr().out.split() == []
    assert main([*args, "--json"]) == 0
    entries = {e["name"]: e["environment"] for e in json.loads(capsys.readouterr().out)}
    assert entries == {"dev": "dev", "prod-platform": "prod", "prod-eu": "prod"}


def test_a_broken_index_is_bad_input(tmp_path: Path, capsys) -> None:
    out, config = outdir_with(tmp_path, SPECS)
    (out / "stacks.json").write_text('{"format": 99}')
    with pytest.raises(ValueError, match="format-1 stack index"):
        read_index(out)
    assert main(["stacks", "--outdir", str(out), "--config", str(config)]) == 2
    assert "stacks.json is not a format-1 stack index" in capsys.readouterr().err


def test_synth_writes_the_index_of_a_real_per_project_synth(config_copy: Path, tmp_path: Path) -> None:
    staging = config_copy / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "stacks:\n  layout: per-project\n")
    out = synth_config(config_copy, tmp_path / "out").outdir
    index = read_index(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(index["stacks"]) == set(manifest["stacks"])
    assert index["stacks"]["staging-churn"]["environment"] == "staging"
    assert index["stacks"]["staging-churn"]["layout"] == "per-project"
    assert index["stacks"]["staging-churn"]["dependencies"] == manifest["stacks"]["staging-churn"]["dependencies"]
    assert index["stacks"]["dev"]["layout"] == "per-environment"
    order = index["deploy_order"]
    assert order.index("staging-platform") < order.index("staging-churn")
    for name, stack in index["stacks"].items():
        assert (out / stack["directory"] / "cdk.tf.json").is_file(), name


def test_review_risks_are_diagnostics() -> None:
    from mlops_tools.review.diagnostics import risk_diagnostic
    from mlops_tools.review.plan_review import DATA_LOSS, EXIT_DESTRUCTIVE, RENAME, Risk

    blocking = risk_diagnostic(Risk(DATA_LOSS, "prod", "databricks_schema.features", "schema is deleted", True))
    assert blocking.severity == "error" and blocking.key == "databricks_schema.features"
    assert blocking.render() == "error: stack prod databricks_schema.features: schema is deleted (data loss)"
    assert risk_diagnostic(Risk(RENAME, "dev", "a.b", "renamed")).severity == "warning"
    from databricks_spec.diagnostics import ExitCode
    assert EXIT_DESTRUCTIVE == ExitCode.BLOCKED == 3

"""The CLI reports the project's own errors as diagnostics with their exit code, and a bug
as a bug (traceback, exit 70), never as bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from databricks_spec.diagnostics import ConstructError, Diagnostic, ExitCode, MlopsError, warn
from mlops_tools import cli


class _Construct:
    class node:  # noqa: N801 - the shape of a construct's node
        path = "dev/churn/serving"


def test_construct_error_is_exit_2_without_traceback(monkeypatch, capsys, tmp_path: Path) -> None:
    def refuse(args):
        raise ConstructError(_Construct(), "traffic must sum to 100", key="traffic",
                             detail="provider docs: model_serving")

    monkeypatch.setitem(cli.COMMANDS, "synth", refuse)
    monkeypatch.delenv("MLOPS_DEBUG", raising=False)
    assert cli.main(["synth", "--outdir", str(tmp_path / "out")]) == ExitCode.BAD_INPUT == 2
    err = capsys.readouterr().err
    assert "error: dev/churn/serving traffic: traffic must sum to 100 (provider docs: model_serving)" in err
    assert "Traceback" not in err


def test_an_internal_bug_is_not_bad_input(monkeypatch, capsys, tmp_path: Path) -> None:
    def crash(args):
        raise ValueError("boom: a bug in our code")

    monkeypatch.setitem(cli.COMMANDS, "synth", crash)
    monkeypatch.delenv("MLOPS_DEBUG", raising=False)
    assert cli.main(["synth", "--outdir", str(tmp_path / "out")]) == ExitCode.INTERNAL == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: boom" in err
    assert "this is a bug, not a problem with your input" in err
    assert "error: boom" not in err


def test_debug_reraises(monkeypatch, tmp_path: Path) -> None:
    def refuse(args):
        raise MlopsError.of("boom")

    monkeypatch.setitem(cli.COMMANDS, "synth", refuse)
    monkeypatch.setenv("MLOPS_DEBUG", "1")
    with pytest.raises(MlopsError, match="boom"):
        cli.main(["synth", "--outdir", str(tmp_path / "out")])


def test_warnings_print_but_do_not_fail(monkeypatch, capsys, tmp_path: Path) -> None:
    def ok_with_warning(args):
        warn(Diagnostic("config/environments/dev.yaml", 3, "workspace.host", "host has a trailing slash",
                        severity="warning"))
        return 0

    monkeypatch.setitem(cli.COMMANDS, "synth", ok_with_warning)
    assert cli.main(["synth", "--outdir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning: config/environments/dev.yaml:3 workspace.host: host has a trailing slash" in err


def test_config_warnings_and_errors_split(monkeypatch, capsys) -> None:
    from platform_config import ConfigError

    def mixed(args):
        ConfigError.raise_for([Diagnostic("a.yaml", 1, "x", "deprecated key", severity="warning")])
        ConfigError.raise_for([Diagnostic("a.yaml", 2, "y", "must be a string"),
                               Diagnostic("a.yaml", 4, "z", "unusual value", severity="warning")])
        return 0

    monkeypatch.setitem(cli.COMMANDS, "synth", mixed)
    assert cli.main(["synth"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["warning: a.yaml:1 x: deprecated key", "warning: a.yaml:4 z: unusual value",
                   "error: a.yaml:2 y: must be a string",
                   "1 problem(s) in configuration; nothing was written."]


def test_unknown_command_is_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["deploy-everything"])
    assert info.value.code == 2


def test_help_lists_each_command_once(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.split()]
    commands = [name for name in listed if name in cli.COMMANDS]
    assert sorted(commands) == sorted(cli.COMMANDS) and len(commands) == len(set(commands))
    assert {"synth", "plan", "review", "change-review", "stacks"} <= set(commands)
    for name in cli.COMMANDS:  # nowhere else (no hand-written list, no {a,b,c} choice list)
        assert sum(line.split()[:1] == [name] for line in out.splitlines()) == 1, name
    assert "{" not in out


def test_shared_options_are_defined_once(monkeypatch) -> None:
    from mlops_tools.registry import SHARED_OPTIONS

    seen = {}
    monkeypatch.setenv("CDKTF_OUTDIR", "/tmp/elsewhere")
    for name in cli.COMMANDS:
        monkeypatch.setitem(cli.COMMANDS, name, lambda args, name=name: seen.setdefault(name, args) and 0)
    cli.main(["synth"])
    cli.main(["stacks"])
    cli.main(["plan", "--config", "other"])
    assert seen["synth"].outdir == seen["stacks"].outdir == Path("/tmp/elsewhere")
    assert seen["plan"].config == Path("other") and seen["synth"].config == Path("config")
    assert set(SHARED_OPTIONS) >= {"config", "outdir"}


def test_platform_warnings_are_printed_once_after_a_successful_command(monkeypatch, capsys, tmp_path) -> None:
    """Config warnings (Platform.warnings, Problems of severity warning) go through the one
    warning channel: printed by the CLI after the command, once, and the exit code stays 0."""
    import mlops_tools.synth as synth_module
    from platform_config import load_platform

    def loaded(config_dir):
        platform = load_platform(config_dir)
        object.__setattr__(platform, "warnings", [
            Diagnostic("config/projects/churn.yaml", 7, "compute.node_type", "an AWS node type on Azure",
                       severity="warning")])
        return platform

    monkeypatch.setattr(synth_module, "load_platform", loaded)

    def cmd(args):
        synth_module.load(args.config)
        synth_module.load(args.config)  # plan loads it, then synth: still printed once
        return 0

    monkeypatch.setitem(cli.COMMANDS, "synth", cmd)
    assert cli.main(["synth", "--outdir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: config/projects/churn.yaml:7 compute.node_type: an AWS node type on Azure") == 1


def test_every_exit_code_has_a_meaning_in_help() -> None:
    from databricks_spec.diagnostics import exit_codes_help

    text = exit_codes_help()
    for code in ExitCode:
        assert f"{int(code)} " in text and code.meaning

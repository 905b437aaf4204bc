"""The CLI turns a construct's refusal into a one-line error with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tools import cli


def test_construct_value_error_is_exit_2_without_traceback(monkeypatch, capsys, tmp_path: Path) -> None:
    def refuse(args):
        raise ValueError("dev/churn/serving: traffic must sum to 100 (provider docs: model_serving)")

    monkeypatch.setitem(cli.COMMANDS, "synth", refuse)
    monkeypatch.delenv("MLOPS_DEBUG", raising=False)
    assert cli.main(["synth", "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "error: dev/churn/serving: traffic must sum to 100" in err
    assert "Traceback" not in err


def test_debug_reraises(monkeypatch, tmp_path: Path) -> None:
    def refuse(args):
        raise ValueError("boom")

    monkeypatch.setitem(cli.COMMANDS, "synth", refuse)
    monkeypatch.setenv("MLOPS_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        cli.main(["synth", "--outdir", str(tmp_path / "out")])


def test_unknown_command_is_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["deploy-everything"])
    assert info.value.code == 2

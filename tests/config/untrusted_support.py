"""Helpers for the hostile-input tests: run the CLI on a broken config and check the
contract of issue 11 (exit 2, file:line and key, no traceback, secret not echoed, the
previous cdktf.out byte-identical)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support import ROOT, previous_outdir, snapshot  # noqa: F401  (the output helpers are re-exported)


@dataclass
class Run:
    code: int
    err: str
    out: str


def run_cli(config: Path, outdir: Path, subprocess_run: bool = False, timeout: float = 60) -> Run:
    """``mlops synth --config config --outdir outdir``, in-process (main()) or as a subprocess."""
    args = ["synth", "--config", str(config), "--outdir", str(outdir)]
    if subprocess_run:
        env = {k: v for k, v in os.environ.items() if k != "MLOPS_DEBUG"}
        proc = subprocess.run([sys.executable, "-m", "mlops_tools", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, env=env)
        return Run(proc.returncode, proc.stderr, proc.stdout)
    import contextlib
    import io

    from mlops_tools import cli

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = cli.main(args)
    return Run(code, err.getvalue(), out.getvalue())


def assert_refused(run: Run, before: dict[str, bytes], outdir: Path, where: str, key: str | None = None,
                   fragment: str = "", secret: str | None = None) -> str:
    """The contract; returns the matching error line. ``where`` is 'file' or 'file:line'."""
    assert run.code == 2, run.err + run.out
    assert "Traceback" not in run.err + run.out
    lines = [line for line in run.err.splitlines() if line.startswith("error: ")]
    hits = [line for line in lines if line.startswith(f"error: {where} ")
            and fragment in line and (key is None or f" {key}:" in line)]
    assert hits, f"no error at {where} key={key} with {fragment!r} in:\n{run.err}"
    if secret is not None:
        assert secret not in run.err + run.out
    assert snapshot(outdir) == before
    return hits[0]

"""cdktf.out is never missing, killed runs are repaired and cleaned, bad outdirs are exit 2.

The swap itself is tested on plain folders in a child process killed with SIGKILL at the
worst moment (between the two renames of the fallback, after the atomic exchange); one
test kills a real synth from outside while it runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mlops_tools.synth import _swap_into_place, recover_outdir
from support import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


def make_output(path: Path, marker: str) -> Path:
    (path / "stacks" / "dev").mkdir(parents=True)
    (path / "stacks" / "dev" / "cdk.tf.json").write_text(json.dumps({"marker": marker}))
    (path / "manifest.json").write_text(json.dumps({"stacks": {}, "marker": marker}))
    return path


def marker(outdir: Path) -> str:
    return json.loads((outdir / "manifest.json").read_text())["marker"]


def run_killed_swap(tmp_path: Path, *, exchange: bool, kill_after_renames: int) -> subprocess.CompletedProcess:
    """Swap tmp into cdktf.out in a child that SIGKILLs itself after N os.rename calls
    (exchange=False) or right after the atomic exchange (exchange=True)."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        import mlops_tools.synth as synth
        calls = 0
        real_rename = os.rename
        def rename(a, b):
            global calls
            real_rename(a, b)
            calls += 1
            if calls == {kill_after_renames}:
                os.kill(os.getpid(), signal.SIGKILL)
        real_exchange = synth._exchange
        def exchange(a, b):
            ok = real_exchange(a, b)
            if ok:
                os.kill(os.getpid(), signal.SIGKILL)
            return ok
        synth.os.rename = rename
        synth._exchange = exchange
        synth._swap_into_place(Path(sys.argv[1]), Path(sys.argv[2]), exchange={exchange})
    """)
    tmp = make_output(tmp_path / f"cdktf.out.tmp-{os.getpid() + 1000000}-x", "new")
    return subprocess.run([sys.executable, "-c", script, str(tmp), str(tmp_path / "cdktf.out")],
                          env=ENV, capture_output=True, text=True, timeout=60)


def test_killed_between_the_two_renames_is_recovered(tmp_path: Path) -> None:
    outdir = make_output(tmp_path / "cdktf.out", "previous")
    result = run_killed_swap(tmp_path, exchange=False, kill_after_renames=1)
    assert result.returncode == -signal.SIGKILL, result.stderr
    # the gap: no cdktf.out, but the previous complete output is kept under .old-<pid>
    assert not outdir.exists()
    olds = list(tmp_path.glob("cdktf.out.old-*"))
    assert len(olds) == 1 and marker(olds[0]) == "previous"
    removed = recover_outdir(outdir)
    assert marker(outdir) == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"], removed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 exchange is Linux-only")
def test_atomic_exchange_killed_before_cleanup_leaves_new_output(tmp_path: Path) -> None:
    outdir = make_output(tmp_path / "cdktf.out", "previous")
    result = run_killed_swap(tmp_path, exchange=True, kill_after_renames=99)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert marker(outdir) == "new"  # never absent: exchanged in one step
    leftovers = list(tmp_path.glob("cdktf.out.tmp-*"))
    assert len(leftovers) == 1 and marker(leftovers[0]) == "previous"
    recover_outdir(outdir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]
    assert marker(outdir) == "new"


def test_swap_replaces_and_creates(tmp_path: Path) -> None:
    outdir = tmp_path / "cdktf.out"
    _swap_into_place(make_output(tmp_path / "a", "first"), outdir)
    assert marker(outdir) == "first"
    for exchange in (True, False):
        _swap_into_place(make_output(tmp_path / f"b{exchange}", f"second-{exchange}"), outdir, exchange=exchange)
        assert marker(outdir) == f"second-{exchange}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_leftovers_of_dead_runs_are_removed_live_ones_kept(tmp_path: Path) -> None:
    outdir = make_output(tmp_path / "cdktf.out", "current")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()
        make_output(tmp_path / f"cdktf.out.tmp-{dead}-abcd1234", "dead")
        make_output(tmp_path / "cdktf.out.tmp-oldscheme", "dead")
        make_output(tmp_path / f"cdktf.out.old-{dead}", "dead")
        live = make_output(tmp_path / f"cdktf.out.tmp-{sleeper.pid}-abcd1234", "running")
        recover_outdir(outdir)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", live.name]
        assert marker(outdir) == "current"
    finally:
        sleeper.kill()
        sleeper.wait()


def synth_cmd(outdir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--config", str(ROOT / "config"), "--outdir", str(outdir)]


def test_real_synth_killed_midway_keeps_previous_output_and_next_run_cleans(tmp_path: Path) -> None:
    outdir = make_output(tmp_path / "cdktf.out", "previous")
    proc = subprocess.Popen(synth_cmd(outdir), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("cdktf.out.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(tmp_path.glob("cdktf.out.tmp-*")), "synth was not killed while it built its temp output"
    assert marker(outdir) == "previous"
    result = subprocess.run(synth_cmd(outdir), env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]
    assert {"dev", "staging", "prod"} <= set(json.loads((outdir / "manifest.json").read_text())["stacks"])


def test_unwritable_output_folder_is_exit_2_with_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run(synth_cmd(blocker / "cdktf.out"), env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"error: cannot write the output folder {blocker / 'cdktf.out'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert "nothing was written" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_is_exit_2(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = subprocess.run(synth_cmd(parent / "cdktf.out"), env=ENV, capture_output=True, text=True,
                                timeout=120)
    finally:
        parent.chmod(0o755)
    assert result.returncode == 2 and "cannot write the output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_without_terraform_fails_before_synth_on_stderr(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"  # PATH with python's folder and nothing else (no terraform)
    bindir.mkdir()
    env = {**ENV, "PATH": str(bindir)}
    outdir = tmp_path / "cdktf.out"
    result = subprocess.run([sys.executable, "-m", "mlops_tools", "plan", "--outdir", str(outdir)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "error: terraform not found" in result.stderr
    assert result.stdout == ""
    assert not outdir.exists()


def test_sigterm_mid_synth_removes_its_temp_output(tmp_path: Path) -> None:
    outdir = make_output(tmp_path / "cdktf.out", "previous")
    proc = subprocess.Popen(synth_cmd(outdir), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("cdktf.out.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # inside the jsii build
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "terminated" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]
    assert marker(outdir) == "previous"

"""Progress lines on stderr through the on_event callback: index, timing, heartbeat, colour rules."""

from __future__ import annotations

import io
import threading

from mlops_tools.progress import Progress, use_color


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_show_index_phase_and_timing() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(["dev-platform", "dev-churn", "prod"], stream=out, clock=clock, color=False)
    progress.on_event("dev-churn", "init", None)
    clock.now += 1.0
    progress.on_event("dev-churn", "init", 1.0)
    progress.on_event("dev-churn", "plan", None)
    progress.on_event("dev-churn", "plan", 2.25)
    progress.finish("dev-churn", True, 3.3)
    progress.on_event("prod", "validate", None)
    progress.on_event("prod", "validate", 0.5)
    progress.on_event("prod", "failed", None)
    assert out.getvalue().splitlines() == [
        "[2/3] dev-churn: init…",
        "[2/3] dev-churn: plan…",
        "[2/3] dev-churn: ok in 3.3s (init 1.0s, plan 2.2s)",
        "[3/3] prod: validate…",
        "[3/3] prod: FAILED in 0.5s (validate 0.5s)",
    ]


def test_heartbeat_reports_a_long_step_again_and_again() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(["dev"], stream=out, clock=clock, color=False, heartbeat=10)
    progress.on_event("dev", "plan", None)
    clock.now += 5
    progress.beat()
    clock.now += 6
    progress.beat()
    clock.now += 10
    progress.beat()
    progress.on_event("dev", "plan", 21.0)
    clock.now += 30
    progress.beat()  # nothing runs any more
    assert out.getvalue().splitlines() == ["[1/1] dev: plan…", "[1/1] dev: plan… still running (11.0s)",
                                           "[1/1] dev: plan… still running (21.0s)"]


def test_heartbeat_thread_runs_while_entered() -> None:
    out = io.StringIO()
    with Progress(["dev"], stream=out, color=False, heartbeat=0.05) as progress:
        progress.on_event("dev", "plan", None)
        done = threading.Event()
        done.wait(0.5)
    assert "still running" in out.getvalue()


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(Tty()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Tty())
    tty = Tty()
    Progress(["dev"], stream=tty).finish("dev", True, 1.0)
    assert "\033[" not in tty.getvalue()
    monkeypatch.delenv("NO_COLOR")
    tty = Tty()
    Progress(["dev"], stream=tty).finish("dev", True, 1.0)
    assert "\033[32mok" in tty.getvalue()


def test_parallel_events_write_whole_lines() -> None:
    out = io.StringIO()
    names = [f"s{i}" for i in range(20)]
    progress = Progress(names, stream=out, color=False, heartbeat=0)

    def work(name: str) -> None:
        for phase in ("init", "validate", "plan"):
            progress.on_event(name, phase, None)
            progress.on_event(name, phase, 0.01)
        progress.finish(name, True)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 20 * 4
    assert sum(line.endswith(")") and " ok in " in line for line in lines) == 20
    assert all(line.startswith("[") for line in lines)

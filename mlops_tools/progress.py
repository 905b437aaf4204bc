"""Progress of long operations on stderr, through one callback: ``on_event(stack, phase, seconds)``.

A long operation (the offline plan of every stack, a change review) calls
:meth:`Progress.on_event` as it goes; this module decides what the user sees::

    [3/51] dev-churn: plan…
    [3/51] dev-churn: plan… still running (30s)
    [3/51] dev-churn: ok in 4.2s (init 1.0s, validate 0.8s, plan 2.1s, show 0.3s)

The callback contract (what a runner such as ``mlops_tools.offline.harness`` calls):

* ``on_event(stack, phase, None)``: ``phase`` (e.g. ``"init"``, ``"plan"``) of ``stack`` starts.
* ``on_event(stack, phase, seconds)``: that phase finished after ``seconds``.
* ``on_event(stack, "ok", seconds)`` (or ``"done"``) / ``on_event(stack, "failed", seconds)``:
  the stack is finished (``seconds``: its total). Runners that do not send these get them
  from :meth:`Progress.finish`; a second finish of the same stack is ignored.

It is thread-safe (stacks may run in parallel); each line is written whole. A background
heartbeat reports a phase that has been running longer than ``heartbeat`` seconds, again
every ``heartbeat`` seconds. Colour only when the stream is a terminal and ``NO_COLOR`` is
not set (https://no-color.org); ``TERM=dumb`` also turns it off.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence, TextIO

#: The callback type: (stack, phase, seconds or None when the phase starts).
OnEvent = Callable[[str, str, "float | None"], None]

FINISHED = ("ok", "done", "failed")


class _Stream(Protocol):
    def write(self, text: str) -> int: ...
    def flush(self) -> None: ...


def use_color(stream: TextIO | None = None) -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (any non-empty value)."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_STYLES = {"ok": "\033[32m", "failed": "\033[31m", "dim": "\033[2m", "bold": "\033[1m", "warn": "\033[33m"}
_RESET = "\033[0m"


def paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLES[style]}{text}{_RESET}" if color else text


def seconds_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s"


@dataclass
class _StackState:
    index: int
    phase: str | None = None
    started: float = 0.0
    last_beat: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    finished: bool = False


class Progress:
    """Reports ``[i/n] stack: phase…`` lines for a known list of stacks (see module doc)."""

    def __init__(self, stacks: Sequence[str], *, stream: TextIO | None = None, color: bool | None = None,
                 heartbeat: float = 15.0, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stderr
        self.color = use_color(self.stream) if color is None else color
        self.enabled = enabled
        self.heartbeat = heartbeat
        self._clock = clock
        self._lock = threading.Lock()
        self._total = len(stacks)
        self._states = {name: _StackState(i + 1) for i, name in enumerate(stacks)}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the callback ---------------------------------------------------------------------

    def on_event(self, stack: str, phase: str, seconds: float | None = None) -> None:
        """The callback runners call (module doc); safe from any thread."""
        with self._lock:
            state = self._state(stack)
            now = self._clock()
            if phase in FINISHED:
                self._finish(stack, state, phase != "failed", seconds)
            elif seconds is None:
                state.phase, state.started, state.last_beat = phase, now, now
                self._line(f"{self._prefix(stack, state)} {phase}…")
            else:
                state.phases[phase] = state.phases.get(phase, 0.0) + seconds
                if state.phase == phase:
                    state.phase = None

    def finish(self, stack: str, ok: bool, seconds: float | None = None) -> None:
        """Mark a stack finished (when the runner sends no ``done``/``failed`` event itself)."""
        self.on_event(stack, "done" if ok else "failed", seconds)

    def note(self, text: str) -> None:
        """A free-form progress line (e.g. ``synthesizing 51 stacks…``)."""
        with self._lock:
            self._line(text)

    # -- heartbeat ------------------------------------------------------------------------

    def beat(self) -> None:
        """Report every phase running longer than ``heartbeat`` seconds (called by the thread)."""
        with self._lock:
            now = self._clock()
            for stack, state in self._states.items():
                if state.phase and not state.finished and now - state.last_beat >= self.heartbeat:
                    state.last_beat = now
                    running = paint(f"still running ({seconds_text(now - state.started)})", "dim", self.color)
                    self._line(f"{self._prefix(stack, state)} {state.phase}… {running}")

    def __enter__(self) -> "Progress":
        if self.enabled and self.heartbeat > 0:
            self._thread = threading.Thread(target=self._run, name="mlops-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        tick = min(1.0, self.heartbeat / 4)
        while not self._stop.wait(tick):
            self.beat()

    # -- output ---------------------------------------------------------------------------

    def _state(self, stack: str) -> _StackState:
        if stack not in self._states:  # a stack the caller did not announce: count it in
            self._total += 1
            self._states[stack] = _StackState(self._total)
        return self._states[stack]

    def _prefix(self, stack: str, state: _StackState) -> str:
        return f"[{state.index}/{self._total}] {paint(stack, 'bold', self.color)}:"

    def _finish(self, stack: str, state: _StackState, ok: bool, seconds: float | None) -> None:
        if state.finished:
            return
        state.finished, state.phase = True, None
        total = seconds if seconds is not None else sum(state.phases.values())
        parts = ", ".join(f"{name} {seconds_text(s)}" for name, s in state.phases.items())
        verdict = paint("ok", "ok", self.color) if ok else paint("FAILED", "failed", self.color)
        detail = paint(f" ({parts})", "dim", self.color) if parts else ""
        self._line(f"{self._prefix(stack, state)} {verdict} in {seconds_text(total)}{detail}")

    def _line(self, text: str) -> None:
        if not self.enabled:
            return
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not fail the operation
            pass


def null_event(stack: str, phase: str, seconds: float | None = None) -> None:
    """An ``on_event`` that ignores everything (the default for library callers)."""

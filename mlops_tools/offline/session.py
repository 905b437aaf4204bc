"""Verify or apply one stack: Terraform commands in a scratch directory, attached to the shared provider.

:func:`verify_stack` runs ``terraform plan`` (which validates) and ``show -json`` (unless
``plan_json=False``), or only ``validate``; ``init`` runs only for stacks that use modules or other providers.
:func:`apply_stack` applies offline into a local state file. Both report progress through
``on_event`` (:data:`EventCallback`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mlops_tools.offline.provider_process import provider_server
from mlops_tools.offline.provider_schema import atomic_write
from mlops_tools.offline.results import (
    StepResult,
    VerifyResult,
    plan_summary,
    text_diagnostics,
    validate_diagnostics,
)
from mlops_tools.offline.scratch import needs_init, prepare_workdir, version_problem
from mlops_tools.offline.terraform_cli import ensure_mirror, terraform_binary, terraform_env


def _run(name: str, args: list[str], workdir: Path, env: dict[str, str]) -> StepResult:
    start = time.monotonic()
    proc = subprocess.run([terraform_binary(), *args], cwd=workdir, env=env, capture_output=True, text=True)
    return StepResult(name, args, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


EventCallback = Callable[[str, str, "float | None"], None]
"""``on_event(stack, phase, seconds)``: ``seconds`` is None when a phase starts, its duration when
it ends; the last event of a stack is phase ``"ok"`` or ``"failed"`` with the stack's total seconds.
Phases are Terraform commands: ``init`` (only when the stack needs it), ``plan``, ``show`` (unless
``plan_json=False``),
``validate`` (a validate-only check, or diagnostics after a failed plan) and ``apply``."""


class _Session:
    """One scratch working directory in which terraform commands, attached to the shared provider, run."""

    def __init__(self, stack_dir: Path, state: Path | None, workdir: Path | None,
                 on_event: EventCallback | None) -> None:
        self.stack_dir = Path(stack_dir)
        self.name = self.stack_dir.resolve().name
        self._on_event = on_event
        self._started = time.monotonic()
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="offline-tf-")
        self.workdir = Path(workdir or self._tmp.name)
        self.config = prepare_workdir(self.stack_dir, self.workdir)
        self.state = Path(state).resolve() if state else None
        self._local_state = self.workdir / "terraform.tfstate"
        if self.state is not None and self.state.is_file() and self.state != self._local_state.resolve():
            shutil.copyfile(self.state, self._local_state)
        self.server = provider_server()
        self.env = {**terraform_env(ensure_mirror()), "TF_REATTACH_PROVIDERS": self.server.reattach}
        self.result = VerifyResult(stack_dir=self.stack_dir, workdir=self.workdir)

    def event(self, phase: str, seconds: float | None) -> None:
        if self._on_event is not None:
            self._on_event(self.name, phase, seconds)

    def run(self, name: str, *args: str) -> StepResult:
        self.event(name, None)
        step = _run(name, list(args), self.workdir, self.env)
        self.result.steps[name] = step
        self.result.timings[name] = step.seconds
        self.event(name, step.seconds)
        return step

    def init(self) -> bool:
        """Check the provider version the stack asks for; run ``terraform init`` only when needed."""
        problem = version_problem(self.config, self.server.provider_version)
        if problem is not None:
            step = StepResult("init", [], 1, "", problem, 0.0)
            self.result.steps["init"] = step
            self.result.diagnostics = text_diagnostics(step)
            return False
        if not needs_init(self.config):
            return True
        step = self.run("init", "init", "-input=false", "-no-color")
        if not step.ok:
            self.result.diagnostics = text_diagnostics(step)
        return step.ok

    def validate(self) -> bool:
        step = self.run("validate", "validate", "-json", "-no-color")
        self.result.diagnostics = validate_diagnostics(step)
        return step.ok

    def plan(self, plan_json: bool) -> bool:
        """Plan (which validates); after a failed plan, validate for structured diagnostics.

        The plan document (``show -json``) is read when ``plan_json`` asks for it, or when
        the plan text has no summary line to count from (:func:`plan_summary`)."""
        step = self.run("plan", "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin")
        self.result.plan_text = step.stdout
        if not step.ok:
            if self.validate():
                self.result.diagnostics = text_diagnostics(step)
            return False
        self.result.summary_counts = plan_summary(step.stdout)
        if not plan_json and self.result.summary_counts is not None:
            return True
        show = self.run("show", "show", "-json", "-no-color", "plan.bin")
        if show.ok:
            self.result.plan = json.loads(show.stdout)
        return show.ok

    def apply(self) -> bool:
        step = self.run("apply", "apply", "-input=false", "-no-color", "-auto-approve", "-lock=false")
        if self.state is not None and self._local_state.is_file() and self.state != self._local_state.resolve():
            atomic_write(self.state, self._local_state.read_bytes())  # also a partial apply's state, like a backend
        if not step.ok:
            self.result.diagnostics = text_diagnostics(step)
        return step.ok

    def finish(self, ok: bool) -> VerifyResult:
        self.result.ok = ok
        self.event("ok" if ok else "failed", time.monotonic() - self._started)
        return self.result

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def verify_stack(
    stack_dir: Path, *, plan: bool = True, plan_json: bool = True, state: Path | None = None,
    workdir: Path | None = None, on_event: EventCallback | None = None,
) -> VerifyResult:
    """Plan one synthesized stack offline (``terraform plan`` validates it), or only validate it.

    With ``plan`` (the default) the commands are ``plan`` and ``show -json``
    (plus ``validate -json`` after a failed plan, for structured diagnostics);
    with ``plan=False`` only ``validate``. ``plan_json=False`` skips ``show -json``
    for callers that need the verdict, the plan text and the counts but not the plan
    document (``result.plan`` stays None; ``counts()`` reads the plan's summary line). ``init`` runs only when the stack
    uses modules or other providers. ``state`` is a local state file to plan
    against (e.g. one written by :func:`apply_stack` for a base revision); it
    is read, never written. By default the plan starts from an empty state.
    ``workdir`` keeps the scratch directory (with ``plan.bin``) instead of a
    temporary one that is deleted afterwards. ``on_event`` reports progress
    (see :data:`EventCallback`).
    """
    session = _Session(stack_dir, state, workdir, on_event)
    try:
        ok = session.init() and (session.plan(plan_json) if plan else session.validate())
        return session.finish(ok)
    finally:
        session.close()


def apply_stack(stack_dir: Path, state_path: Path, *, workdir: Path | None = None,
                on_event: EventCallback | None = None) -> VerifyResult:
    """Apply one stack offline into the local state file ``state_path`` (nothing leaves the machine)."""
    session = _Session(stack_dir, state_path, workdir, on_event)
    try:
        return session.finish(session.init() and session.apply())
    finally:
        session.close()


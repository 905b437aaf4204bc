"""Run real Terraform offline against synthesized cdktf stacks.

One stand-in provider process (:mod:`mlops_tools.offline.provider`) serves a
whole run: :func:`provider_server` starts it on first use and every Terraform
command of every stack attaches to it (``TF_REATTACH_PROVIDERS``), so a
command costs what Terraform itself costs. ``verify_stack()`` copies a
stack's ``cdk.tf.json`` into a scratch directory without its backend (state is
the directory's own ``terraform.tfstate``) and runs ``terraform plan`` (which
validates) and, when the plan document is wanted, ``show -json``; or only
``validate``; ``init`` runs only for
stacks that use modules or other providers. ``apply_stack()`` applies offline
into a local state file (so that a base revision can be applied and a head
revision planned against the same state). ``verify_stacks()`` verifies many
stacks in parallel, and ``offline_plan()`` is the CLI-facing wrapper that
prints Terraform's plan text. Each accepts ``on_event`` for progress.

This module is the harness's entry point: it runs many stacks in parallel and
re-exports what callers use from the modules that do the work:
:mod:`mlops_tools.offline.terraform_cli` (binary, CLI config, environment allowlist),
:mod:`mlops_tools.offline.provider_process` (the shared provider process),
:mod:`mlops_tools.offline.scratch` (the scratch directory),
:mod:`mlops_tools.offline.session` (one stack's Terraform commands) and
:mod:`mlops_tools.offline.results` (what they produced).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from mlops_tools.offline.provider_process import (
    ProviderServer,
    ProviderStartError,
    provider_server,
    stop_provider_server,
)
from mlops_tools.offline.results import StepResult, VerifyResult, format_diagnostic
from mlops_tools.offline.scratch import (
    OFFLINE_TFVARS,
    STACK_FILE,
    needs_init,
    offline_variables,
    prepare_workdir,
    scratch_text,
    version_allowed,
)
from mlops_tools.offline.session import EventCallback, apply_stack, verify_stack
from mlops_tools.offline.terraform_cli import (
    INSTALL_HINT,
    TerraformNotFound,
    allowed_env,
    ensure_mirror,
    terraform_binary,
    terraform_env,
)

__all__ = ["INSTALL_HINT", "OFFLINE_TFVARS", "STACK_FILE", "EventCallback", "ProviderServer", "ProviderStartError",
           "StepResult", "TerraformNotFound", "VerifyResult", "allowed_env", "apply_stack", "default_jobs",
           "ensure_mirror", "format_diagnostic", "needs_init", "offline_plan", "offline_variables",
           "prepare_workdir", "provider_server", "scratch_text", "stop_provider_server", "terraform_binary",
           "terraform_env", "verify_stack", "verify_stacks", "version_allowed"]


def default_jobs() -> int:
    """Stacks verified at once by default: the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def verify_stacks(
    stack_dirs: Iterable[Path], *, plan: bool = True, plan_json: bool = True, jobs: int | None = None,
    on_event: EventCallback | None = None,
) -> list[VerifyResult]:
    """Verify stacks in parallel (``jobs`` at once, default: the number of cores), every Terraform
    command attached to the one provider server; results in the order of ``stack_dirs``.

    ``plan`` and ``plan_json`` as for :func:`verify_stack` (``plan_json=False``: verdicts, plan
    text and counts without the plan documents, one Terraform command per valid stack).
    ``on_event`` (see :data:`EventCallback`) is called from worker threads, one call at a time.
    """
    return list(_verified_in_order(stack_dirs, plan=plan, plan_json=plan_json, jobs=jobs, on_event=on_event))


def _verified_in_order(stack_dirs: Iterable[Path], *, plan: bool, plan_json: bool, jobs: int | None,
                       on_event: EventCallback | None) -> Iterator[VerifyResult]:
    """Each stack's result, in order, as soon as it and those before it are done."""
    stacks = [Path(s) for s in stack_dirs]
    lock = threading.Lock()

    def report(stack: str, phase: str, seconds: float | None) -> None:
        with lock:
            on_event(stack, phase, seconds)  # type: ignore[misc]

    callback = report if on_event is not None else None
    if not stacks:
        return
    provider_server()  # start it once, before the workers race for it
    with ThreadPoolExecutor(max_workers=max(1, jobs or default_jobs())) as pool:
        pending = [pool.submit(verify_stack, stack, plan=plan, plan_json=plan_json, on_event=callback)
                   for stack in stacks]
        for future in pending:
            yield future.result()


def _summary_line(stack: Path, result: VerifyResult) -> str:
    seconds = sum(result.timings.values())
    if not result.ok:
        return f"{stack.name}: FAILED ({seconds:.1f}s)"
    add, change, destroy = result.counts().values()
    return f"{stack.name}: {add} to add, {change} to change, {destroy} to destroy ({seconds:.1f}s)"


def offline_plan(stack_dirs: list[Path], *, out: TextIO = sys.stdout, jobs: int | None = None,
                 on_event: EventCallback | None = None) -> int:
    """Plan the stacks offline in parallel, printing each one's Terraform plan text (in the given order)
    and a summary line per stack (counted from the plan text: no plan documents are read).

    Returns 0 when every stack planned, 1 when any failed, 2 when terraform is
    not installed. ``jobs`` and ``on_event`` as for :func:`verify_stacks`.
    """
    try:
        terraform_binary()
    except TerraformNotFound as exc:
        print(f"error: {exc}", file=out)
        return 2
    summaries: list[str] = []
    failed = False
    stacks = list(map(Path, stack_dirs))
    for stack, result in zip(stacks, _verified_in_order(stacks, plan=True, plan_json=False, jobs=jobs,
                                                                    on_event=on_event)):
        print(f"=== {stack.name} ===", file=out)
        print(result.plan_text.strip() if result.ok else result.failure_text(), file=out)
        out.flush()
        summaries.append(_summary_line(stack, result))
        failed |= not result.ok
    print("\n".join(summaries), file=out)
    return 1 if failed else 0

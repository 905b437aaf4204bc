"""``mlops run JOB_KEY --env E [--wait]``: trigger a deployed job through the Jobs API and wait.

JOB_KEY is ``<project>.<job>``: the project's name and the job's key under the project's
``jobs`` (``churn.training``, ``churn.feature_engineering``; '-' may stand for '_'). The job's
Databricks name comes from config through the resolution layer (``resolution.names.job_name``,
the rule the stacks name the job with), for the environment, or for a developer's dev target
with ``--dev-user`` (``alice-dev-churn-training-job``). Its id is looked up by that exact name
(``jobs/list?name=``), unless ``--job-id`` gives it (e.g. from ``terraform output``).

Credentials come from the Databricks SDK's own configuration and are never printed:

* with ``DATABRICKS_HOST`` set, the SDK reads everything from its environment
  (``DATABRICKS_TOKEN``, ``DATABRICKS_CLIENT_ID``/``_SECRET``, OIDC, ...);
* otherwise the environment's ``workspace.host``, ``auth_type`` and ``profile`` (config) are
  passed to the SDK, which finds the credentials for them (variables or ~/.databrickscfg).

Exit codes: 0 triggered (and, with ``--wait``, the run succeeded); 1 the run failed, was
cancelled, timed out or was skipped, or ``--timeout`` passed first (the run's URL is printed),
or the workspace failed to answer; 2 bad input: unknown job key or environment, a job not
deployed, ambiguous job name, no or rejected credentials.

Docs: docs/code-delivery.md, "Integration run".
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from databricks_spec.diagnostics import CheckFailed, ExitCode
from mlops_tools.errors import UsageError
from mlops_tools.registry import Registry

#: Life-cycle states after which a run changes no more (Jobs API RunLifeCycleState).
TERMINAL_STATES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})
#: The only result that passes: SUCCESS_WITH_FAILURES (a non-leaf task failed) does not.
PASSING_RESULT = "SUCCESS"
DEFAULT_TIMEOUT_SECONDS = 3600.0
DEFAULT_POLL_SECONDS = 15.0
#: How long the SDK retries one API call that fails transiently (connection refused, 429, 503)
#: before the command reports the workspace unreachable (exit 1); the SDK's own default is 300.
API_RETRY_SECONDS = 120


@dataclass(frozen=True)
class JobTarget:
    """The job a JOB_KEY stands for in one environment (or dev target)."""

    key: str
    """``<project>.<job kind>`` as the user wrote it, normalised ('-' -> '_')."""
    name: str
    """The job's Databricks name (resolution.names.job_name)."""
    env: Any
    """The EnvironmentConfig (a DevUserEnvironment for a dev target)."""


def resolve_job_target(platform: Any, key: str, env_name: str) -> JobTarget:
    """JOB_KEY + environment -> the job's Databricks name, or UsageError (exit 2)."""
    from resolution import names

    if env_name not in platform.environments:
        raise UsageError.of(f"unknown environment {env_name!r}", key="--env",
                            detail=f"known environments: {', '.join(sorted(platform.environments))}")
    targets = {t.project.name: t for t in platform.targets.get(env_name, [])}
    jobs = {f"{p}.{kind}": (t, kind, job) for p, t in targets.items() for kind, job in t.project.jobs.enabled_jobs()}
    project, dot, kind = key.partition(".")
    normal = f"{project}.{kind.replace('-', '_')}" if dot else key
    if normal not in jobs:
        known = ", ".join(sorted(jobs)) or "none"
        raise UsageError.of(f"unknown job key {key!r} in environment '{env_name}'", key="JOB_KEY",
                            detail=f"JOB_KEY is <project>.<job>; jobs of '{env_name}': {known}")
    target, kind, job = jobs[normal]
    return JobTarget(normal, names.job_name(target.env, target.project, kind, job.name), target.env)


# ----------------------------------------------------------------------------- the Jobs API


def workspace_client(env: Any) -> Any:
    """A databricks-sdk WorkspaceClient for ``env`` (see the module docstring); UsageError
    (exit 2) when no credentials can be found. Nothing of the configuration is printed."""
    import os

    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    try:
        if os.environ.get("DATABRICKS_HOST"):
            return WorkspaceClient(config=Config(retry_timeout_seconds=API_RETRY_SECONDS))
        ws = env.workspace
        return WorkspaceClient(config=Config(host=ws.host, profile=ws.profile, auth_type=ws.auth_type,
                                             retry_timeout_seconds=API_RETRY_SECONDS))
    except ValueError:  # the SDK's "cannot configure default credentials" (its text is not echoed)
        raise UsageError.of(
            "no Databricks credentials: set DATABRICKS_HOST with DATABRICKS_TOKEN (or "
            "DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET, or OIDC), or configure the "
            f"environment's profile{' ' + repr(env.workspace.profile) if env.workspace.profile else ''}",
            key="credentials") from None


def _api_error(exc: Exception, what: str) -> Exception:
    """An SDK error -> exit 2 when the credentials are refused, else exit 1 (the workspace
    failed or could not be reached). Only the error's class and the server's message are shown."""
    from databricks.sdk import errors

    if not isinstance(exc, errors.DatabricksError):  # OSError: connection refused, DNS, timeout
        return CheckFailed.of(f"{what}: cannot reach the workspace ({type(exc).__name__})")
    message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    if isinstance(exc, (errors.Unauthenticated, errors.PermissionDenied)):
        return UsageError.of(f"{what}: the workspace refused the credentials ({type(exc).__name__}: {message})",
                             key="credentials")
    return CheckFailed.of(f"{what}: {type(exc).__name__}: {message}")


def _api_errors() -> tuple[type[BaseException], ...]:
    """What a Jobs API call raises for the user to see: the SDK's DatabricksError, and OSError
    (requests' connection errors derive from it)."""
    from databricks.sdk.errors import DatabricksError

    return (DatabricksError, OSError)


def find_job_id(client: Any, name: str) -> int:
    """The id of the one job named exactly ``name`` (jobs/list filters case-insensitively)."""
    try:
        found = [j.job_id for j in client.jobs.list(name=name)
                 if j.settings is not None and j.settings.name == name]
    except _api_errors() as exc:
        raise _api_error(exc, f"listing job {name!r}") from None
    if not found:
        raise UsageError.of(f"no job named {name!r} in the workspace", key="JOB_KEY",
                            detail="deploy the environment (or dev target) first, or pass --job-id")
    if len(found) > 1:
        raise UsageError.of(f"{len(found)} jobs are named {name!r} (ids {', '.join(map(str, sorted(found)))})",
                            key="JOB_KEY", detail="pass the one to run with --job-id")
    return int(found[0])


def _state(run: Any) -> tuple[str, str | None, str]:
    """(life-cycle state, result state, message) of a Run."""
    state = run.state
    life = state.life_cycle_state.value if state is not None and state.life_cycle_state else "PENDING"
    result = state.result_state.value if state is not None and state.result_state else None
    return life, result, (state.state_message or "") if state is not None else ""


def run_job(client: Any, job_id: int, name: str, *, wait: bool, timeout: float, poll: float,
            out: Callable[[str], None], clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], None] = time.sleep) -> int:
    """Trigger job ``job_id`` (``run_now``); with ``wait``, poll ``get_run`` every ``poll``
    seconds until the run terminates or ``timeout`` seconds pass. Returns the exit code."""
    try:
        run_id = client.jobs.run_now(job_id=job_id).response.run_id
        run = client.jobs.get_run(run_id)
    except _api_errors() as exc:
        raise _api_error(exc, f"starting job {name!r}") from None
    url = run.run_page_url or ""
    out(f"started run {run_id} of {name} (job {job_id}): {url}")
    if not wait:
        return ExitCode.OK
    deadline = clock() + timeout
    seen = None
    while True:
        life, result, message = _state(run)
        if (life, result) != seen:
            seen = (life, result)
            out(f"run {run_id}: {life}{' ' + result if result else ''}")
        if life in TERMINAL_STATES:
            break
        if clock() >= deadline:
            out(f"error: run {run_id} of {name} did not finish within {timeout:g} s (still {life}); "
                f"it keeps running: {url}")
            return ExitCode.CHECK_FAILED
        sleep(max(0.0, min(poll, deadline - clock())))
        try:
            run = client.jobs.get_run(run_id)
        except _api_errors() as exc:
            raise _api_error(exc, f"polling run {run_id} of {name!r}") from None
        url = run.run_page_url or url
    if life == "TERMINATED" and result == PASSING_RESULT:
        out(f"run {run_id} of {name} succeeded: {url}")
        return ExitCode.OK
    why = f": {message}" if message else ""
    out(f"error: run {run_id} of {name} ended {result or life}{why}: {url}")
    return ExitCode.CHECK_FAILED


# ----------------------------------------------------------------------------- the command


def cmd_run(args: argparse.Namespace) -> int:
    from mlops_tools.synth import dev_user_target, load

    if args.timeout <= 0 or args.poll_interval <= 0:
        raise UsageError.of("--timeout and --poll-interval must be positive", key="--timeout")
    platform = load(args.config)
    if args.env not in platform.environments:
        raise UsageError.of(f"unknown environment {args.env!r}", key="--env",
                            detail=f"known environments: {', '.join(sorted(platform.environments))}")
    if args.dev_user is not None:
        platform = dev_user_target(platform, args.dev_user, [args.env])
    target = resolve_job_target(platform, args.job_key, args.env)

    def out(line: str) -> None:
        print(line, file=sys.stderr if line.startswith("error:") else sys.stdout, flush=True)

    client = workspace_client(target.env)
    job_id = args.job_id if args.job_id is not None else find_job_id(client, target.name)
    return run_job(client, job_id, target.name, wait=args.wait, timeout=args.timeout,
                   poll=args.poll_interval, out=out)


def register(registry: Registry) -> None:
    parser = registry.add(
        "run", cmd_run, help="trigger a deployed job through the Jobs API (and wait for its run)",
        shared=("config", "dev_user"),
        description="Trigger a deployed job (databricks-sdk, Jobs API run-now) and, with --wait, poll "
                    "until its run ends. JOB_KEY is <project>.<job>, e.g. churn.training; the job's name "
                    "comes from config. Credentials: DATABRICKS_HOST + DATABRICKS_TOKEN (or client "
                    "id/secret, OIDC), or the environment's profile; never printed. Exit 1: the run "
                    "failed, was cancelled or timed out (its URL is printed).")
    parser.add_argument("job_key", metavar="JOB_KEY", help="<project>.<job>, e.g. churn.training")
    parser.add_argument("--env", required=True, metavar="ENV", help="the environment the job is deployed in")
    parser.add_argument("--wait", action="store_true", help="wait for the run to end; fail unless it succeeds")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"with --wait: give up after this long, exit 1 (default: {DEFAULT_TIMEOUT_SECONDS:g}; "
                             "the run keeps running)")
    parser.add_argument("--poll-interval", type=float, default=DEFAULT_POLL_SECONDS, metavar="SECONDS",
                        help=f"with --wait: seconds between status checks (default: {DEFAULT_POLL_SECONDS:g})")
    parser.add_argument("--job-id", type=int, metavar="ID",
                        help="the job's id (e.g. from `terraform output`); default: looked up by its name")

"""Provider rules for databricks_job (provider docs: job) and its permissions.

The same concept as ``platform_config.jobs`` (the ``jobs:`` config) and
``mlops_constructs.job`` (the MlJob construct), seen from the spec layer: these functions are
what both of them check.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from databricks_spec.docs import provider_doc
from databricks_spec.enums import (COMPARISONS, CONDITION_OPS, HEALTH_METRICS, MAX_JOB_TAGS,
                                   MAX_NOTIFICATION_DESTINATIONS, RUN_IF, Comparison, values)
from databricks_spec.formats import is_email, is_relative_path, is_uuid
from databricks_spec.permissions import JOB_USAGE_DOC
from databricks_spec.rules import Finding, members_text


def job_doc(section: str | None = None) -> str:
    return provider_doc("job", section)


#: task_key (job.md, task: "a unique name"; the API allows \w, '-' and '.', up to 100).
TASK_KEY = re.compile(r"^[\w\-.]{1,100}$")
#: Parameter names as the provider allows them (job, 'parameter Configuration Block').
PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

#: Hosts whose git provider is known, so config need not name it (job, 'git_source').
_GIT_HOSTS = {"github.com": "gitHub", "gitlab.com": "gitLab", "dev.azure.com": "azureDevOpsServices",
              "bitbucket.org": "bitbucketCloud"}


def _one_of(names: Sequence[str], present: Sequence[bool]) -> list[str]:
    return [n for n, p in zip(names, present) if p]


# --------------------------------------------------------------------------- when a job runs

def run_modes(schedule: bool, trigger: bool, continuous: bool) -> list[Finding]:
    """At most one of schedule, trigger and continuous."""
    kinds = _one_of(("schedule", "trigger", "continuous"), (schedule, trigger, continuous))
    if len(kinds) > 1:
        return [Finding((), f"set at most one of schedule, trigger or continuous; got {', '.join(kinds)}",
                        job_doc("schedule Configuration Block"))]
    return []


def trigger_kinds(table_update: bool, file_arrival: bool, periodic: bool) -> list[Finding]:
    """A trigger is exactly one of table_update, file_arrival and periodic."""
    kinds = _one_of(("table_update", "file_arrival", "periodic"), (table_update, file_arrival, periodic))
    if len(kinds) != 1:
        return [Finding((), "set exactly one of table_update, file_arrival or periodic; got "
                            f"{', '.join(kinds) or 'none'}", job_doc("trigger Configuration Block"))]
    return []


def file_arrival_url(url: str) -> list[Finding]:
    if not url.endswith("/"):
        return [Finding((), "must end with '/'", job_doc("trigger Configuration Block"))]
    return []


def continuous_concurrency(max_concurrent_runs: int) -> list[Finding]:
    """A continuous job runs one run at a time."""
    if max_concurrent_runs != 1:
        return [Finding((), "a continuous job runs one run at a time: max_concurrent_runs must be 1",
                        job_doc("continuous Configuration Block"))]
    return []


def max_concurrent_runs(value: int) -> list[Finding]:
    if value < 1:
        return [Finding((), "max_concurrent_runs must be at least 1", job_doc("Argument Reference"))]
    return []


# --------------------------------------------------------------------------- code source

def git_provider_for(url: str) -> str | None:
    """The git provider of a repository URL's host, or None when the host is not a known one."""
    host = url.removeprefix("https://").split("/")[0].lower().split("@")[-1]
    return _GIT_HOSTS.get(host) or ("azureDevOpsServices" if host.endswith(".visualstudio.com") else None)


def git_ref(branch: str | None, tag: str | None, commit: str | None) -> list[Finding]:
    """git_source names exactly one of branch, tag and commit."""
    refs = _one_of(("branch", "tag", "commit"), (bool(branch), bool(tag), bool(commit)))
    if len(refs) != 1:
        return [Finding((), f"set exactly one of branch, tag or commit (got {', '.join(refs) or 'none'})",
                        job_doc("git_source Configuration Block"))]
    return []


def relative_path(path: str, has_source: bool, needs: str = "git_source") -> list[Finding]:
    """A relative task path is a path in the git repository: it needs a source to resolve in.

    ``needs`` names what provides one, in the caller's words."""
    if is_relative_path(path) and not has_source:
        return [Finding((), f"relative path {path!r} needs {needs}; or use an absolute /Workspace/... path")]
    return []


def serverless_wheel(wheel: str | None, serverless: bool, dependencies: str) -> list[Finding]:
    """On serverless compute a wheel is installed from the environment's dependencies, not as a
    task library. ``dependencies`` names where to put it, in the caller's words."""
    if wheel and serverless:
        return [Finding((), "serverless compute installs wheels from its dependencies: add the wheel "
                            f"to {dependencies} instead", job_doc("environment Configuration Block"))]
    return []


def parameter_names(names: Iterable[str]) -> list[Finding]:
    bad = sorted(k for k in names if not PARAMETER_NAME.match(k))
    if bad:
        return [Finding((), "parameter names may only contain letters, digits, '_', '-' and '.': "
                            f"{', '.join(bad)}", job_doc("parameter Configuration Block"))]
    return []


# --------------------------------------------------------------------------- tasks

def task_graph(tasks: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Task keys are valid and every dependency names a task; dependencies form no cycle.

    ``tasks`` maps task_key -> the task keys it depends on."""
    out = []
    if not tasks:
        return [Finding((), "a job needs at least one task", job_doc("task Configuration Block"))]
    for key in sorted(tasks):
        if not TASK_KEY.match(key):
            out.append(Finding((key,), f"task_key {key!r} may only contain letters, digits, '_', '-' and '.' "
                                       "(1-100 characters)", job_doc("task Configuration Block")))
        for dep in sorted(tasks[key]):
            if dep not in tasks:
                out.append(Finding((key,), f"task {key} depends on unknown task {dep}",
                                   job_doc("depends_on Configuration Block")))
    if out:
        return out
    state: dict[str, int] = {}

    def visit(key: str, trail: list[str]) -> list[str] | None:
        if state.get(key) == 2:
            return None
        if state.get(key) == 1:
            return trail + [key]
        state[key] = 1
        for dep in sorted(tasks[key]):
            if (cycle := visit(dep, trail + [key])) is not None:
                return cycle
        state[key] = 2
        return None

    for key in sorted(tasks):
        if (cycle := visit(key, [])) is not None:
            return [Finding((), f"task dependencies form a cycle: {' -> '.join(cycle)}",
                            job_doc("depends_on Configuration Block"))]
    return []


def duplicate_keys(keys: Sequence[str], what: str = "task_key") -> list[Finding]:
    dupes = sorted({k for k in keys if list(keys).count(k) > 1})
    if dupes:
        return [Finding((), f"duplicate {what} {', '.join(dupes)}", job_doc("task Configuration Block"))]
    return []


def dependency_outcome(outcome: str | None, on_condition_task: bool) -> list[Finding]:
    """An outcome ('true'/'false') only on a dependency on a condition task."""
    if outcome is None:
        return []
    if outcome not in ("true", "false"):
        return [Finding((), f"outcome must be 'true' or 'false', got {outcome!r}",
                        job_doc("depends_on Configuration Block"))]
    if not on_condition_task:
        return [Finding((), "outcome is only valid on a dependency on a condition task",
                        job_doc("depends_on Configuration Block"))]
    return []


def condition_op(op: str) -> list[Finding]:
    if op not in CONDITION_OPS:
        return [Finding((), f"condition op {op!r} not one of {', '.join(sorted(CONDITION_OPS))}",
                        job_doc("condition_task Configuration Block"))]
    return []


def run_if(value: str | None) -> list[Finding]:
    if value is not None and value not in RUN_IF:
        return [Finding((), f"run_if {value!r} not one of {', '.join(sorted(RUN_IF))}",
                        job_doc("task Configuration Block"))]
    return []


# --------------------------------------------------------------------------- notify and health

def health_metrics(metrics: Iterable[str]) -> list[Finding]:
    bad = sorted(set(metrics) - HEALTH_METRICS)  # (a Mapping's keys, or any iterable)
    if bad:
        return [Finding((), f"unknown health metric(s) {', '.join(bad)}", job_doc("health Configuration Block"))]
    return []


def duration_warning(notifies: bool, metrics: Iterable[str], job: str = "the job") -> list[Finding]:
    """on_duration_warning_threshold_exceeded fires only with a RUN_DURATION_SECONDS health rule."""
    if notifies and "RUN_DURATION_SECONDS" not in set(metrics):
        return [Finding((), f"{job} has no RUN_DURATION_SECONDS health rule, so this notification never "
                            "fires; add health: {RUN_DURATION_SECONDS: <seconds>}",
                        job_doc("health Configuration Block"))]
    return []


#: A destination named by key (config: the environment's notification_destinations), not an id.
_DESTINATION_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def notification_destinations(ids: Sequence[str], *, keys: bool = False) -> list[Finding]:
    """At most 3 destinations per event, each a destination id (a UUID) or, with ``keys``, a
    destination key the caller resolves to an id (docs/observability.md)."""
    if len(ids) > MAX_NOTIFICATION_DESTINATIONS:
        return [Finding((), f"at most {MAX_NOTIFICATION_DESTINATIONS} notification destinations, got {len(ids)}",
                        job_doc("webhook_notifications Configuration Block"))]
    if keys:
        bad = [d for d in ids if not (is_uuid(d) or _DESTINATION_KEY.match(d))]
        if bad:
            return [Finding((), "not a notification destination (a key of notification_destinations or a "
                                f"destination id, a UUID): {', '.join(bad)}")]
        return []
    bad = [d for d in ids if not is_uuid(d)]
    if bad:
        return [Finding((), "not a notification destination id (a UUID; find it in the destination's "
                            f"URL, not its name): {', '.join(bad)}")]
    return []


def emails(addresses: Iterable[str]) -> list[Finding]:
    bad = [e for e in addresses if not is_email(e)]
    return [Finding((), f"not an e-mail address: {', '.join(bad)}")] if bad else []


def tag_count(tags: Mapping[str, str]) -> list[Finding]:
    if len(tags) > MAX_JOB_TAGS:
        return [Finding((), f"at most {MAX_JOB_TAGS} tags, got {len(tags)}", job_doc("tags Configuration Map"))]
    return []


# --------------------------------------------------------------------------- who

def _one_identity(members: Sequence[tuple[str, str]]) -> bool:
    return len(members) == 1 and members[0][0] != "group_name"


def run_as_identity(members: Sequence[tuple[str, str]], what: str, where: str = "") -> list[Finding]:
    """run_as is exactly one user or service principal. ``members`` are (kind, name) pairs,
    kind one of group_name / user_name / service_principal_name; ``what`` names them."""
    if not _one_identity(members):
        return [Finding((), f"run_as {what} must stand for exactly one service principal or user{where}, "
                            f"but it is: {members_text(members)}", job_doc("run_as Configuration Block"))]
    return []


def one_owner(levels: Mapping[str, str]) -> list[Finding]:
    """A job has exactly one owner: at most one principal (or role) is IS_OWNER."""
    owners = sorted(who for who, level in levels.items() if level == "IS_OWNER")
    if len(owners) > 1:
        return [Finding((), f"a job has exactly one owner, but IS_OWNER is given to {', '.join(owners)}",
                        JOB_USAGE_DOC)]
    return []


def owner_identity(members: Sequence[tuple[str, str]], what: str) -> list[Finding]:
    """The owner is one user or service principal: a job cannot be owned by a group."""
    if not _one_identity(members):
        return [Finding((), "IS_OWNER must be exactly one user or service principal (a job cannot be "
                            f"owned by a group), but {what} is: {members_text(members)}", JOB_USAGE_DOC)]
    return []


def task_compute(kind: str, compute_key: str | None, compute_keys: Iterable[str]) -> list[Finding]:
    """Which tasks take compute: ``kind`` is notebook, python_script, python_wheel, condition,
    run_job or pipeline. Condition, run-job and pipeline tasks take none; script and wheel tasks need one (a job
    cluster, or a serverless environment for their libraries); a notebook task without one runs
    on serverless with its notebook environment."""
    if kind in ("condition", "run_job", "pipeline"):
        if compute_key is not None:
            return [Finding((), "condition, run-job and pipeline tasks take no compute",
                            job_doc("task Configuration Block"))]
        return []
    if compute_key is None:
        if kind in ("python_script", "python_wheel"):
            return [Finding((), "Python script and wheel tasks need a compute_key (a job cluster, or a "
                                "serverless environment for their libraries)", job_doc("task Configuration Block"))]
        return []
    if compute_key not in set(compute_keys):
        return [Finding((), f"unknown compute key {compute_key!r}", job_doc("job_cluster Configuration Block"))]
    return []


def threshold_comparison(comparison: str) -> list[Finding]:
    """A threshold check compares with GREATER_THAN(_OR_EQUAL) or LESS_THAN(_OR_EQUAL)."""
    if comparison not in COMPARISONS:
        return [Finding(("comparison",), f"comparison must be one of {', '.join(values(Comparison))}, got "
                                         f"{comparison!r}", job_doc("condition_task Configuration Block"))]
    return []

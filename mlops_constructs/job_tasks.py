"""The tasks of an MlJob: what each task runs (its action) and how tasks depend on each other.

Nested props of ``mlops_constructs.job.MlJobProps`` (the ``*Code`` actions, ``DependencySpec``,
``TaskSpec``); plain frozen dataclasses, no jsii.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Union

from databricks_spec.enums import ConditionOp, RunIf


@dataclass(frozen=True, kw_only=True)
class NotebookCode:
    path: str
    """Workspace path (absolute) or repository path (relative, with git source)."""
    source: str | None = None
    """GIT or WORKSPACE. Default: GIT for relative paths when the job has git_source, else WORKSPACE."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Notebook base_parameters. Default: none."""


@dataclass(frozen=True, kw_only=True)
class PythonScriptCode:
    path: str
    """Python file: workspace path, cloud URI, or repository path (relative)."""
    source: str | None = None
    """GIT or WORKSPACE. Default: as for notebooks."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Passed as sorted '--name=value' arguments. Default: none."""


@dataclass(frozen=True, kw_only=True)
class PythonWheelCode:
    package_name: str
    entry_point: str
    wheel: str | None = None
    """.whl path installed as a task library on job clusters. Default: none."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Named parameters. Default: none."""


@dataclass(frozen=True, kw_only=True)
class ConditionCode:
    """A condition task: compares two operands; dependants run on outcome "true" or "false"."""

    left: str
    op: ConditionOp
    right: str


@dataclass(frozen=True, kw_only=True)
class RunJobCode:
    job_id: str
    """Id of the job to run (a token referencing its databricks_job keeps the dependency)."""
    job_parameters: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


@dataclass(frozen=True, kw_only=True)
class PipelineCode:
    """A pipeline task: one update of a Lakeflow Declarative Pipeline (docs/pipelines.md)."""

    pipeline_id: str
    """Id of the pipeline (a token referencing its databricks_pipeline keeps the dependency)."""
    full_refresh: bool = False
    """Recompute every table. Default: false (incremental update)."""


Code = Union[NotebookCode, PythonScriptCode, PythonWheelCode]
Action = Union[NotebookCode, PythonScriptCode, PythonWheelCode, ConditionCode, RunJobCode, PipelineCode]


def with_parameters(code: Code, platform: Mapping[str, str]) -> Code:
    """``code`` with the platform's parameters added; a clash with the code's own is an error."""
    clash = sorted(set(code.parameters) & set(platform))
    if clash:
        raise ValueError(f"parameter(s) {', '.join(clash)} are set by the platform and cannot be overridden")
    return replace(code, parameters={**code.parameters, **platform})


@dataclass(frozen=True, order=True)
class DependencySpec:
    task_key: str
    outcome: str | None = None
    """"true" / "false" for a dependency on a condition task. Default: none."""


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    key: str
    """Unique task_key."""
    action: Action
    depends_on: tuple[DependencySpec | str, ...] = ()
    """Upstream tasks (key or DependencySpec with outcome). Default: none."""
    compute_key: str | None = None
    """Key of a job cluster or serverless environment. Default: none: a notebook task runs on
    serverless with its notebook environment; Python script and wheel tasks need one;
    condition and run-job tasks take none."""
    description: str | None = None
    """Default: none."""
    max_retries: int | None = None
    """Default: no retries."""
    min_retry_interval_millis: int | None = None
    """Default: retry immediately."""
    retry_on_timeout: bool | None = None
    """Default: false."""
    timeout_seconds: int | None = None
    """Default: none."""
    run_if: RunIf | None = None
    """Default: ALL_SUCCESS."""

    @property
    def deps(self) -> list[DependencySpec]:
        return sorted(d if isinstance(d, DependencySpec) else DependencySpec(d) for d in self.depends_on)



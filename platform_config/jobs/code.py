"""What a task runs (``TaskCode``) and the repository it runs from (``GitSourceConfig``).

How the code is delivered (git, workspace files, volume wheels) is ``platform_config.code``, the
same concept as resolution.code and stacks.code; the task paths here are resolved against it."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from databricks_spec.enums import GitProvider, values
from databricks_spec.formats import COMMIT_SHA, is_relative_path
from databricks_spec.rules import jobs as job_rules
from platform_config.base import Model
from platform_config.jobs.fields import Parameters

class WheelConfig(Model):
    """A Python wheel entry point."""

    package_name: str
    """Python package name, as in the wheel's metadata. Required."""
    entry_point: str
    """Entry point (console script / entry_points name) to call. Required."""
    wheel: str | None = None
    """Path of the .whl installed on job clusters (a /Volumes/... or /Workspace/... path).
    Default: none (the package must already be on the cluster). On serverless compute put
    the wheel in the compute profile's dependencies instead."""


class TaskCode(Model):
    """What a task runs: exactly one of notebook, python_script, python_wheel.

    Relative paths are resolved in ``jobs.git_source`` (source GIT) or, without
    git source, below ``jobs.workspace_root``; absolute paths (/Workspace/...,
    /Repos/...) and cloud URIs are used as they are (source WORKSPACE)."""

    notebook: str | None = None
    """Notebook path (without the .py extension for source notebooks). Default: unset."""
    python_script: str | None = None
    """Python file path. Default: unset."""
    python_wheel: WheelConfig | None = None
    """Wheel entry point. Default: unset."""
    parameters: Parameters = Field(default_factory=dict)
    """Extra parameters for this task (notebook widgets, --name=value arguments for scripts,
    named parameters for wheels). Default: none."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "TaskCode":
        kinds = [k for k in ("notebook", "python_script", "python_wheel") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("set exactly one of notebook, python_script or python_wheel; "
                             f"got {', '.join(kinds) or 'none'}")
        return self

    @property
    def path(self) -> str | None:
        return self.notebook or self.python_script

    @property
    def relative(self) -> bool:
        """Whether the path is one in the git repository (databricks_spec.formats.is_relative_path)."""
        return self.path is not None and is_relative_path(self.path)


# --------------------------------------------------------------------------- source


class GitSourceConfig(Model):
    """The Git repository holding the project's ML code (job git_source)."""

    url: str
    """Repository URL (https). Required."""
    provider: GitProvider | None = None
    """Git provider. Default: detected from the host (github.com, gitlab.com, dev.azure.com,
    bitbucket.org); required for other hosts."""
    branch: str | None = None
    """Branch to run. Set exactly one of branch, tag, commit."""
    tag: str | None = None
    """Tag to run (pin a release, e.g. in prod)."""
    commit: str | None = None
    """Commit SHA to run (7-40 hex digits)."""

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be the repository's https:// URL")
        return value

    @field_validator("commit")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        if value is not None and not COMMIT_SHA.match(value):
            raise ValueError("must be a commit SHA: 7-40 lowercase hex digits")
        return value

    @model_validator(mode="after")
    def _ref(self) -> "GitSourceConfig":
        for f in job_rules.git_ref(self.branch, self.tag, self.commit):
            raise ValueError(f"{f.message}; an environment override that pins a tag or commit must also "
                             f"set `branch: null` ({f.doc})")
        if self.provider is None and self.detected_provider() is None:
            raise ValueError(f"provider is required for this host: one of {', '.join(values(GitProvider))}")
        return self

    def detected_provider(self) -> str | None:
        return job_rules.git_provider_for(self.url)

    @property
    def resolved_provider(self) -> str:
        return self.provider or self.detected_provider()  # type: ignore[return-value]



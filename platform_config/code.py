"""Where a project's ML code comes from, per environment: the ``code:`` section (issue 16).

``code.source`` chooses how the code reaches the workspace:

* ``git`` (default): jobs run from ``jobs.git_source``, as before; nothing is uploaded.
* ``workspace``: every file below ``code.folder`` is deployed as a databricks_workspace_file
  (or a databricks_notebook, for a file that starts with the Databricks notebook source header)
  under the project's per-environment code root (resolution.code.workspace_code_root); relative
  task paths resolve there.
* ``volume``: the wheels built into ``<folder>/dist`` (``python -m build <folder>``) are uploaded
  as databricks_file to the project volume ``code.volume``; python_wheel tasks without an explicit
  ``wheel`` install the uploaded file of their package.

``code.git_credential`` adds a databricks_git_credential (private repositories) whose token comes
from a sensitive Terraform variable, never from config (docs/code-delivery.md).

The folder is read by platform_config.code_folder (bounded, sorted, no escapes); the same
concept as stacks.code (composition) and mlops_constructs.workspace_code /
mlops_constructs.volume_files / mlops_constructs.git_credential (the constructs).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from databricks_spec.enums import GitProvider
from platform_config.base import Model, Slug

CodeSource = Literal["git", "workspace", "volume"]

#: The default code folder of a project, relative to the repository root (the config folder's parent).
DEFAULT_FOLDER = "projects/{name}"

_FOLDER_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def folder_problem(value: str) -> str | None:
    """Why ``value`` is not a repository-relative folder ('projects/churn'), or None."""
    if not value:
        return "must not be empty"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value) or "\\" in value:
        return "must be a folder relative to the repository root, written with '/' (e.g. projects/churn)"
    parts = value.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "must not contain '..', '.' or empty parts: the code folder stays inside the repository"
    bad = next((p for p in parts if not _FOLDER_PART.match(p)), None)
    if bad is not None:
        return f"folder name {bad[:40]!r} may hold letters, digits, '_', '-' and '.' only"
    return None


class GitCredentialConfig(Model):
    """A Git credential (databricks_git_credential) so jobs can check out a private repository.

    The personal access token is NOT configured here: it comes from the sensitive Terraform
    variable ``git_credential_<project>_token`` (TF_VAR_git_credential_<project>_token), one per
    stack. A credential belongs to the identity the provider authenticates as (provider docs:
    git_credential); with a run_as service principal the credential is created through a second
    provider authenticated as that principal (docs/code-delivery.md, "Git credentials")."""

    provider: GitProvider | None = None
    """Git provider of the credential. Default: jobs.git_source's provider."""
    username: str | None = None
    """``git_username`` at the Git provider (required by some providers, e.g. Bitbucket).
    Default: unset."""
    email: str | None = None
    """``git_email`` at the Git provider. Default: unset."""


class CodeConfig(Model):
    """Where the project's ML code comes from and how it is delivered (docs/code-delivery.md)."""

    source: CodeSource = "git"
    """git: jobs run from jobs.git_source (nothing is uploaded); workspace: the folder's files are
    deployed to the workspace and relative task paths resolve there; volume: the folder's built
    wheels (<folder>/dist/*.whl) are uploaded to ``volume``. Default: git."""
    folder: str | None = None
    """The project's code folder, relative to the repository root (the folder holding config/).
    Default: projects/<project name>."""
    exclude: list[str] = Field(default_factory=list)
    """Extra glob patterns (matched against each path relative to the folder, and each name) left
    out of a workspace deployment, e.g. ['tests/*', '*.md']. Hidden files and folders, dist/,
    build/, __pycache__/, *.pyc and *.egg-info/ are always left out. Default: none."""
    volume: Slug | None = None
    """source volume: the key of the project volume (``volumes:``) the wheels are uploaded to,
    below <volume path>/wheels/. Required for source volume."""
    git_folder: bool = False
    """source git: also check jobs.git_source out as a Git folder (databricks_repo) in this environment,
    at /Repos/mlops/<named project>, pinned to its branch or tag, for notebooks that must live in the
    workspace (absolute /Repos/... paths). Default: false (a Git folder exists only when a pipeline
    reads code from git)."""
    git_credential: GitCredentialConfig | None = None
    """A Git credential for a private jobs.git_source repository. Default: none (public repository,
    or a credential managed outside this project)."""

    @field_validator("folder")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return value
        problem = folder_problem(value)
        if problem:
            raise ValueError(problem)
        return value.rstrip("/")

    @field_validator("exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        if len(value) > 100:
            raise ValueError("at most 100 patterns")
        for pattern in value:
            if not pattern or len(pattern) > 200:
                raise ValueError("each pattern must be 1-200 characters")
        return value

    def folder_for(self, project_name: str) -> str:
        """The configured folder, default projects/<project name>."""
        return self.folder or DEFAULT_FOLDER.format(name=project_name)


def check_code(project) -> None:
    """Cross-field rules of ``code`` within one resolved project (a ProjectConfig validator),
    raised at exact key paths."""
    from databricks_spec.rules import Finding
    from platform_config.rule_adapter import raise_findings

    code = project.code
    errors: list[Finding] = []
    if code.source == "volume":
        known = ", ".join(sorted(project.volumes)) or "none"
        if code.volume is None:
            errors.append(Finding(("code", "volume"), "source volume uploads the built wheels to a project volume: "
                                                      f"set code.volume to a key of volumes (known: {known})"))
        elif code.volume not in project.volumes:
            errors.append(Finding(("code", "volume"), f"unknown volume '{code.volume}' (the project's volumes: {known})"))
    g = project.jobs.git_source
    if code.git_folder and g is None:
        errors.append(Finding(("code", "git_folder"), "a Git folder checks out jobs.git_source: set it"))
    elif code.git_folder and g is not None and g.commit is not None:
        errors.append(Finding(("code", "git_folder"), "a Git folder follows a branch or tag, not a commit: pin "
                                                      "jobs.git_source with a tag (provider docs: repo)"))
    cred = code.git_credential
    if cred is not None and cred.provider is None and project.jobs.git_source is None:
        errors.append(Finding(("code", "git_credential", "provider"),
                              "set provider, or jobs.git_source (the credential takes its provider)"))
    raise_findings(errors)

"""A project's code delivery in one environment, resolved: where each file of the code folder
lands in the workspace, where each wheel lands in the volume, and which Git credentials exist.

Same concept as platform_config/code.py (config), platform_config/code_folder.py (what the
folder holds) and stacks/code.py (composition), seen from the resolution layer. Pure: it takes
the folder as read (``CodeFolder``) and decides names and paths; no jsii, no file access.

``workspace_code_root`` is the ONE function deciding where a project's workspace code lives
per environment (a per-developer prefix applies here).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from platform_config import EnvironmentConfig, ProjectConfig, ProjectTarget
from platform_config.base import snake
from platform_config.code_folder import CodeFolder
from platform_config.literals import escape_string
from resolution import names
from resolution.principals import Member, members

#: Below the project volume: where the wheels are uploaded.
WHEELS_FOLDER = "wheels"


def workspace_code_root(env: EnvironmentConfig, project: ProjectConfig) -> str:
    """/Shared/mlops/<named project>/code: the workspace folder a ``workspace`` code source deploys to
    (<named project>: the naming rule applied to the project's name, so it carries the environment)."""
    return f"/Shared/mlops/{env.object_name(project.name)}/code"


def wheel_folder(env: EnvironmentConfig, project: ProjectConfig) -> str:
    """<volume path>/wheels of the project volume ``code.volume``."""
    assert project.code.volume is not None  # config: source volume requires it
    return f"{names.volume_path(env, project, project.code.volume)}/{WHEELS_FOLDER}"


def construct_id(prefix: str, relative: str) -> str:
    """A stable construct id for a file path below the code folder: readable, and unique by a hash
    of the exact path (so two paths never share an id, and renaming one file moves only that
    file's address)."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", relative).strip("_")[:60] or "file"
    digest = hashlib.sha256(relative.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}_{readable}_{digest}"


@dataclass(frozen=True)
class ResolvedCodeFile:
    id: str
    """Construct id (construct_id of the relative path)."""
    relative: str
    """Path below the code folder, as written ('training/notebooks/Train.py')."""
    path: str
    """Workspace path: the code root + the relative path (notebooks without their extension), with
    ``${``/``%{`` escaped (platform_config.literals: Terraform reads the literal text)."""
    kind: str
    """file or notebook."""
    language: str | None
    content_base64: str
    md5: str


@dataclass(frozen=True)
class ResolvedWheel:
    id: str
    """Construct id: 'wheel_<distribution>' (a version bump replaces the file in place of the address)."""
    file_name: str
    path: str
    """<volume path>/wheels/<file name>: the exact file python_wheel tasks install."""
    distribution: str
    version: str
    content_base64: str
    md5: str


@dataclass(frozen=True)
class ResolvedGitCredential:
    id: str
    """Construct id: 'git_credential' (the deployer's) or 'git_credential_<run_as role>'."""
    git_provider: str
    username: str | None
    email: str | None
    run_as_role: str | None
    """The jobs' run_as role it is for; None: the deployer's own identity (jobs without run_as)."""
    run_as: Member | None
    """The service principal the credential belongs to (its application id), or None."""
    token_variable: str
    """Sensitive Terraform variable holding the personal access token."""
    client_secret_variable: str | None
    """Sensitive Terraform variable with the run_as principal's OAuth secret (its provider logs in as it)."""
    provider_alias: str | None
    """Alias of the provider authenticated as the run_as principal (None: the stack's provider)."""


@dataclass(frozen=True)
class ResolvedCode:
    source: str
    """git, workspace or volume."""
    root: str | None
    """workspace: the code root (workspace_code_root); else None."""
    files: tuple[ResolvedCodeFile, ...] = ()
    wheels: tuple[ResolvedWheel, ...] = ()
    credentials: tuple[ResolvedGitCredential, ...] = ()

    def notebook(self, path: str) -> ResolvedCodeFile | None:
        """The deployed notebook a relative notebook task path names (with or without extension)."""
        return next((f for f in self.files if f.kind == "notebook"
                     and path in (f.relative, f.relative.rsplit(".", 1)[0])), None)

    def file(self, path: str) -> ResolvedCodeFile | None:
        return next((f for f in self.files if f.kind == "file" and f.relative == path), None)

    def wheel(self, package: str) -> ResolvedWheel | None:
        from platform_config.code_folder import normalize_distribution

        want = normalize_distribution(package)
        return next((w for w in self.wheels if w.distribution == want), None)


def token_variable(project: ProjectConfig) -> str:
    """git_credential_<project>_token (snake_case): set TF_VAR_git_credential_<project>_token."""
    return f"git_credential_{snake(project.name)}_token"


def client_secret_variable(project: ProjectConfig, role: str) -> str:
    """git_credential_<project>_<role>_client_secret: the run_as principal's OAuth secret."""
    return f"git_credential_{snake(project.name)}_{snake(role)}_client_secret"


def _credentials(target: ProjectTarget) -> tuple[ResolvedGitCredential, ...]:
    project, env = target.project, target.env
    cred = project.code.git_credential
    if cred is None:
        return ()
    jobs = project.jobs
    git_provider = cred.provider or (jobs.git_source.resolved_provider if jobs.git_source else None)
    assert git_provider is not None  # config: check_code
    roles = sorted({jobs.resolve(job).run_as or "" for _, job in jobs.enabled_jobs()}) or [""]
    out = []
    for role in roles:
        run_as = None
        if role:
            found = members(env, target.roles[role]) if role in target.roles else []
            run_as = found[0] if len(found) == 1 else None
        out.append(ResolvedGitCredential(
            id=f"git_credential_{role}" if role else "git_credential", git_provider=git_provider,
            username=cred.username, email=cred.email, run_as_role=role or None, run_as=run_as,
            token_variable=token_variable(project),
            client_secret_variable=client_secret_variable(project, role) if role else None,
            provider_alias=f"git_{snake(project.name)}_{snake(role)}" if role else None))
    return tuple(out)


def resolve_code(target: ProjectTarget, folder: CodeFolder | None) -> ResolvedCode:
    """The project's code delivery in ``target``'s environment; ``folder``: what the code folder
    holds (platform_config.code_folder; None for source git)."""
    env, project = target.env, target.project
    code = project.code
    credentials = _credentials(target)
    if code.source == "workspace":
        assert folder is not None
        root = workspace_code_root(env, project)
        return ResolvedCode(source="workspace", root=root, credentials=credentials, files=tuple(
            ResolvedCodeFile(id=construct_id("file", f.relative), relative=f.relative,
                             path=escape_string(f"{root}/{f.workspace_relative}"), kind=f.kind, language=f.language,
                             content_base64=f.content_base64, md5=f.md5) for f in folder.files))
    if code.source == "volume":
        assert folder is not None
        base = wheel_folder(env, project)
        return ResolvedCode(source="volume", root=None, credentials=credentials, wheels=tuple(
            ResolvedWheel(id=f"wheel_{snake(w.distribution)}", file_name=escape_string(w.file_name),
                          path=escape_string(f"{base}/{w.file_name}"),
                          distribution=w.distribution, version=w.version, content_base64=w.content_base64,
                          md5=w.md5) for w in folder.wheels))
    return ResolvedCode(source="git", root=None, credentials=credentials)

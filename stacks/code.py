"""Compose a project's code delivery (docs/code-delivery.md): the workspace files and notebooks of a
``workspace`` code source, the wheels of a ``volume`` source, and the Git credentials of a private
repository; and map task paths to what was delivered.

The same concept as ``platform_config.code`` (config), ``platform_config.code_folder`` (what the
folder holds) and ``resolution.code`` (paths and names), seen from the stacks. The folder is read
once per stack build through platform_config.code_folder (the same reader the load check ran;
its problems are config errors with file and line). Construct ids: ``code`` (WorkspaceCode, one
child per file, ids from the file's path), ``code_wheels`` (VolumeFiles, one child per
distribution), ``git_credential[_<run_as role>]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.git_credential import GitCredentialProps, GitCredentialUnit
from mlops_constructs.volume_files import VolumeFileSpec, VolumeFiles, VolumeFilesProps
from mlops_constructs.workspace_code import WorkspaceCode, WorkspaceCodeFileSpec, WorkspaceCodeProps
from mlops_engine import TerraformVariable
from mlops_engine.databricks import DatabricksProvider
from platform_config import ConfigError
from platform_config.code_folder import code_folder_for
from resolution import ResolvedProject
from resolution.code import ResolvedCode, ResolvedGitCredential, WHEELS_FOLDER, resolve_code
from stacks.governance import DataUnits
from stacks.located import configured_at

CODE_ID = "code"
WHEELS_ID = "code_wheels"


@dataclass
class DeliveredCode:
    """What a project's jobs refer to: the resolved delivery and the deployed paths (tokens)."""

    resolved: ResolvedCode
    paths: dict[str, str] = field(default_factory=dict)
    """Resolved file or wheel id -> a token of its deployed path."""
    credentials: dict[str, GitCredentialUnit] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.resolved.source

    def notebook_path(self, relative: str) -> str | None:
        f = self.resolved.notebook(relative)
        return self.paths[f.id] if f is not None else None

    def file_path(self, relative: str) -> str | None:
        f = self.resolved.file(relative)
        return self.paths[f.id] if f is not None else None

    def wheel_path(self, package: str) -> str | None:
        w = self.resolved.wheel(package)
        return self.paths[w.id] if w is not None else None


def read_code(project: ResolvedProject) -> ResolvedCode:
    """The project's resolved code delivery; a code folder problem is a ConfigError (exit 2, file:line)."""
    folder, problems = code_folder_for(project.target)
    if problems:
        raise ConfigError(problems)
    return resolve_code(project.target, folder)


def add_project_code(stack: Construct, units: Construct, project: ResolvedProject, data: DataUnits) -> DeliveredCode:
    """The project's code delivery under ``units`` (ProjectUnits); Terraform variables and providers
    (Git credentials) go directly under ``stack``, the stack holding it."""
    resolved = read_code(project)
    out = DeliveredCode(resolved)
    if resolved.files:
        with configured_at(project, ("code",)):
            deployed = WorkspaceCode(units, CODE_ID, WorkspaceCodeProps(files=tuple(
                WorkspaceCodeFileSpec(id=f.id, path=f.path, kind=f.kind, language=f.language,  # type: ignore[arg-type]
                                      content_base64=f.content_base64, md5=f.md5) for f in resolved.files)))
        out.paths.update(deployed.path_of)
    if resolved.wheels:
        volume_key = project.target.project.code.volume
        assert volume_key is not None  # config: source volume requires it
        base = f"{data.volumes[volume_key].path}/{WHEELS_FOLDER}"  # a token: uploads follow the volume
        with configured_at(project, ("code", "volume")):
            uploaded = VolumeFiles(units, WHEELS_ID, VolumeFilesProps(files=tuple(
                VolumeFileSpec(id=w.id, path=f"{base}/{w.file_name}", content_base64=w.content_base64, md5=w.md5)
                for w in resolved.wheels)))
        out.paths.update(uploaded.path_of)
    for cred in resolved.credentials:
        with configured_at(project, ("code", "git_credential")):
            out.credentials[cred.id] = _credential(stack, units, project, cred)
    return out


def _credential(stack: Construct, units: Construct, project: ResolvedProject,
                cred: ResolvedGitCredential) -> GitCredentialUnit:
    """One Git credential; its token (and, for a run_as service principal, the principal's OAuth
    secret) come from sensitive Terraform variables of the stack."""
    env = project.target.env
    token = TerraformVariable(
        stack, cred.token_variable, type="string", sensitive=True, nullable=False,
        description=f"Git personal access token for project '{project.name}' ({env.name}); set "
                    f"TF_VAR_{cred.token_variable} or a sensitive workspace variable (docs/code-delivery.md)")
    provider = None
    if cred.run_as_role is not None:
        member = cred.run_as
        if member is None or member.kind != "service_principal_name":
            raise ConstructError(units, f"a Git credential for run_as role '{cred.run_as_role}' needs that role to "
                                        "stand for exactly one service principal")
        if member.apply_time:
            raise ConstructError(units, f"the run_as service principal '{member.name}' is created in this environment, "
                                        "so its application id is only known after apply and no provider can log in "
                                        "as it at plan time: set its application_id, or leave git_credential out of "
                                        f"environment '{env.name}' (environments.{env.name}.code.git_credential: null)")
        assert cred.client_secret_variable is not None and cred.provider_alias is not None
        secret = TerraformVariable(
            stack, cred.client_secret_variable, type="string", sensitive=True, nullable=False,
            description=f"OAuth secret of service principal {member.name} (run_as of project '{project.name}', "
                        f"{env.name}), used only to create its Git credential; set TF_VAR_{cred.client_secret_variable}")
        provider = DatabricksProvider(stack, f"provider_{cred.provider_alias}", alias=cred.provider_alias,
                                      host=env.workspace.host, auth_type="oauth-m2m", client_id=member.name,
                                      client_secret=secret.string_value)
    return GitCredentialUnit(units, cred.id, GitCredentialProps(
        git_provider=cred.git_provider, personal_access_token=token.string_value, git_username=cred.username,
        git_email=cred.email, provider=provider))

"""Terraform state backends from environment config (one state per stack).

A developer's dev target (``--dev-user``, resolution.dev_user) keeps its states apart from the
environment's shared ones and from every other developer's, under ``dev-users/<user>``:

* local: ``terraform.<stack>.dev-users.<user>.tfstate`` (or ``<path>.dev-users.<user>``);
* s3 / azurerm: key ``<key_prefix>/dev-users/<user>/<stack>.tfstate``;
* gcs: prefix ``<prefix>/dev-users/<user>/<stack>``;
* cloud: workspace ``<workspace_prefix>dev-users-<user>-<stack>``.
"""

from __future__ import annotations

from mlops_engine import AzurermBackend, CloudBackend, GcsBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack

from platform_config import environment as cfg


#: The folder of developers' dev-target states, beside the environment's own states.
DEV_USERS_DIR = "dev-users"


def cloud_workspace_name(backend: cfg.CloudBackend, stack_name: str, dev_user: str | None = None) -> str:
    """Terraform Cloud workspace for a stack: <workspace_prefix><stack> (e.g. mlops-prod);
    a dev target's: <workspace_prefix>dev-users-<user>-<stack>."""
    owner = f"{DEV_USERS_DIR}-{dev_user}-" if dev_user else ""
    return f"{backend.workspace_prefix}{owner}{stack_name}"


def state_key(prefix: str, stack_name: str, dev_user: str | None = None, suffix: str = ".tfstate") -> str:
    """<prefix>/<stack><suffix>; a dev target's: <prefix>/dev-users/<user>/<stack><suffix>."""
    owner = f"{DEV_USERS_DIR}/{dev_user}/" if dev_user else ""
    return f"{prefix}/{owner}{stack_name}{suffix}"


def local_state_path(backend: cfg.LocalBackend, stack_name: str, dev_user: str | None = None) -> str:
    """``path``, default terraform.<stack>.tfstate; a dev target's gets .dev-users.<user> before
    the extension (its own file beside the shared one)."""
    path = backend.path or f"terraform.{stack_name}.tfstate"
    if not dev_user:
        return path
    stem, dot, ext = path.rpartition(".")
    owner = f"{DEV_USERS_DIR}.{dev_user}"
    return f"{stem}.{owner}.{ext}" if dot and stem and "/" not in ext else f"{path}.{owner}"


def apply_backend(stack: TerraformStack, backend: cfg.Backend, stack_name: str, dev_user: str | None = None) -> None:
    """Attach the configured backend to ``stack``; each stack gets its own state (and each
    developer's dev target its own, see the module docstring)."""
    if isinstance(backend, cfg.LocalBackend):
        LocalBackend(stack, path=local_state_path(backend, stack_name, dev_user))
    elif isinstance(backend, cfg.CloudBackend):
        CloudBackend(stack, hostname=backend.hostname, organization=backend.organization,
                     workspaces=NamedCloudWorkspace(cloud_workspace_name(backend, stack_name, dev_user),
                                                    project=backend.project))
    elif isinstance(backend, cfg.S3Backend):
        S3Backend(stack, bucket=backend.bucket, region=backend.region,
                  key=state_key(backend.key_prefix, stack_name, dev_user), encrypt=backend.encrypt,
                  dynamodb_table=backend.dynamodb_table)
        if backend.use_lockfile:
            # Terraform >= 1.10 S3-native locking; the final cdktf bindings predate it.
            stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif isinstance(backend, cfg.AzurermBackend):
        AzurermBackend(stack, resource_group_name=backend.resource_group_name,
                       storage_account_name=backend.storage_account_name,
                       container_name=backend.container_name,
                       key=state_key(backend.key_prefix, stack_name, dev_user),
                       use_azuread_auth=backend.use_azuread_auth)
    elif isinstance(backend, cfg.GcsBackend):
        GcsBackend(stack, bucket=backend.bucket, prefix=state_key(backend.prefix, stack_name, dev_user, ""))
    else:  # pragma: no cover - the config union is closed
        raise TypeError(f"unsupported backend {backend!r}")

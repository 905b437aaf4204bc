"""Terraform state backends from environment config (one state per stack)."""

from __future__ import annotations

from mlops_engine import AzurermBackend, CloudBackend, GcsBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack

from platform_config import environment as cfg


def cloud_workspace_name(backend: cfg.CloudBackend, stack_name: str) -> str:
    """Terraform Cloud workspace for a stack: <workspace_prefix><stack> (e.g. mlops-prod)."""
    return f"{backend.workspace_prefix}{stack_name}"


def apply_backend(stack: TerraformStack, backend: cfg.Backend, stack_name: str) -> None:
    """Attach the configured backend to ``stack``; each stack gets its own state."""
    if isinstance(backend, cfg.LocalBackend):
        LocalBackend(stack, path=backend.path or f"terraform.{stack_name}.tfstate")
    elif isinstance(backend, cfg.CloudBackend):
        CloudBackend(stack, hostname=backend.hostname, organization=backend.organization,
                     workspaces=NamedCloudWorkspace(cloud_workspace_name(backend, stack_name),
                                                    project=backend.project))
    elif isinstance(backend, cfg.S3Backend):
        S3Backend(stack, bucket=backend.bucket, region=backend.region,
                  key=f"{backend.key_prefix}/{stack_name}.tfstate", encrypt=backend.encrypt,
                  dynamodb_table=backend.dynamodb_table)
        if backend.use_lockfile:
            # Terraform >= 1.10 S3-native locking; the final cdktf bindings predate it.
            stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif isinstance(backend, cfg.AzurermBackend):
        AzurermBackend(stack, resource_group_name=backend.resource_group_name,
                       storage_account_name=backend.storage_account_name,
                       container_name=backend.container_name,
                       key=f"{backend.key_prefix}/{stack_name}.tfstate",
                       use_azuread_auth=backend.use_azuread_auth)
    elif isinstance(backend, cfg.GcsBackend):
        GcsBackend(stack, bucket=backend.bucket, prefix=f"{backend.prefix}/{stack_name}")
    else:  # pragma: no cover - the config union is closed
        raise TypeError(f"unsupported backend {backend!r}")

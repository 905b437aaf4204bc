"""GitFolder: a Databricks Git folder (databricks_repo) checking out a project's repository,
so workspace-only consumers (pipeline libraries) can read code from git by path.

Terraform sets the branch or tag at creation and on config changes; pulls made in
the UI are not undone (provider docs: repo, "Argument Reference").
"""

from __future__ import annotations

from databricks_spec.diagnostics import ConstructError

from dataclasses import dataclass, field
from typing import Mapping

from mlops_engine.databricks import Repo

from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit, Scope

#: Git folder permission levels (provider docs: permissions, "Repos usage").
REPO_LEVELS = frozenset({"CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"})


@dataclass(frozen=True, kw_only=True)
class GitFolderProps:
    url: str
    """https URL of the repository."""
    path: str
    """Workspace path of the Git folder, e.g. /Repos/mlops/dev-churn. Changing it recreates
    the folder."""
    provider: str | None = None
    """gitHub, gitLab, azureDevOpsServices, ... Default: detected by the service from the host."""
    branch: str | None = None
    """Branch to check out. Conflicts with tag. Default: the repository's default branch."""
    tag: str | None = None
    """Tag to check out. Default: unset."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_READ / CAN_RUN / CAN_EDIT / CAN_MANAGE, e.g. CAN_READ for the identities
    pipelines reading code from the folder run as. Default: none (no permissions resource)."""


class GitFolder(FlatUnit):
    """databricks_repo ("Resource") + databricks_permissions ("Permissions") when permissions are
    set. ``path`` is a token of the folder's workspace path."""

    def __init__(self, scope: Scope, id: str, props: GitFolderProps):
        super().__init__(scope, id)
        if props.branch and props.tag:
            raise ConstructError(self, f"set branch or tag, not both (provider docs: repo, "
                             "'Argument Reference')")
        if not props.path.startswith("/"):
            raise ConstructError(self, f"path must be an absolute workspace path, got {props.path!r}")
        self.resource = Repo(*self.at("Resource"), url=props.url, path=props.path, git_provider=props.provider,
                             branch=props.branch, tag=props.tag)
        self.path: str = self.resource.path
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="repo_id", object_id=self.resource.id, access=dict(props.permissions),
                valid_levels=REPO_LEVELS))

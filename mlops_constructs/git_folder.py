"""GitFolder: a Databricks Git folder (databricks_repo) checking out a project's repository,
so workspace-only consumers (pipeline libraries) can read code from git by path.

Terraform sets the branch or tag at creation and on config changes; pulls made in
the UI are not undone (provider docs: repo, "Argument Reference").
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops_engine.databricks import Repo
from constructs import Construct


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


class GitFolder(Construct):
    """databricks_repo ("Resource"). ``path`` is a token of the folder's workspace path."""

    def __init__(self, scope: Construct, id: str, props: GitFolderProps):
        super().__init__(scope, id)
        if props.branch and props.tag:
            raise ValueError(f"{self.node.path}: set branch or tag, not both (provider docs: repo, "
                             "'Argument Reference')")
        if not props.path.startswith("/"):
            raise ValueError(f"{self.node.path}: path must be an absolute workspace path, got {props.path!r}")
        self.resource = Repo(self, "Resource", url=props.url, path=props.path, git_provider=props.provider,
                             branch=props.branch, tag=props.tag)
        self.path: str = self.resource.path

"""WorkspaceCode: a project's code folder deployed to the workspace, one resource per file.

Each file is a databricks_workspace_file, or a databricks_notebook for a notebook in source format
(language set), under its own construct id (derived from its path, so changing or renaming one file
touches only that file's resource). The content goes in ``content_base64`` (a literal: base64 has no
``${``), and ``md5`` carries its hash, so a code change shows in the plan as an in-place update of
exactly the changed files (provider docs: workspace_file and notebook, "Argument Reference": files
change "only if Terraform stage did change"; both are identified by ``path``, so a new path is a new
object). The provider docs discourage ``content_base64`` for large content (it is kept in the state):
the config layer bounds file count and sizes (platform_config.code_folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from databricks_spec.diagnostics import ConstructError
from mlops_engine.databricks import Notebook, WorkspaceFile
from mlops_constructs.unit import FlatUnit, Scope

#: databricks_notebook ``language`` with content_base64 (provider docs: notebook).
NOTEBOOK_LANGUAGES = frozenset({"SCALA", "PYTHON", "SQL", "R"})


@dataclass(frozen=True, kw_only=True)
class WorkspaceCodeFileSpec:
    id: str
    """Construct id of this file's resource (stable per path)."""
    path: str
    """Absolute workspace path, e.g. /Shared/mlops/dev-churn/code/training/Train (notebooks without
    extension). Changing it creates a new object."""
    content_base64: str
    """The file's content, base64-encoded."""
    md5: str
    """Hex MD5 of the content: the hash the plan shows changing."""
    kind: Literal["file", "notebook"] = "file"
    """Default: a workspace file."""
    language: str | None = None
    """Notebooks: SCALA, PYTHON, SQL or R. Default: none (files)."""


@dataclass(frozen=True, kw_only=True)
class WorkspaceCodeProps:
    files: tuple[WorkspaceCodeFileSpec, ...]
    """The files to deploy; at least one, unique ids and paths."""


class WorkspaceCode(FlatUnit):
    """One databricks_workspace_file / databricks_notebook per file, each under ``WorkspaceCodeFileSpec.id``.

    ``path_of[id]``: a token of the notebook's ``path`` (notebook tasks) or the file's ``workspace_path``
    (/Workspace/..., python_file of spark_python_task), so jobs referencing them are ordered after them."""

    def __init__(self, scope: Scope, id: str, props: WorkspaceCodeProps):
        super().__init__(scope, id)
        if not props.files:
            raise ConstructError(self, "no files to deploy")
        seen_ids: set[str] = set()
        seen_paths: set[str] = set()
        for f in props.files:
            if f.id in seen_ids or f.path in seen_paths:
                raise ConstructError(self, f"duplicate file {f.path!r}")
            seen_ids.add(f.id)
            seen_paths.add(f.path)
            if not f.path.startswith("/"):
                raise ConstructError(self, f"path must be an absolute workspace path, got {f.path!r}")
            if f.kind == "notebook" and f.language not in NOTEBOOK_LANGUAGES:
                raise ConstructError(self, f"notebook {f.path!r} needs a language: one of "
                                           f"{', '.join(sorted(NOTEBOOK_LANGUAGES))} (provider docs: notebook)")
        self.path_of: dict[str, str] = {}
        self.resources: dict[str, Notebook | WorkspaceFile] = {}
        for f in props.files:
            if f.kind == "notebook":
                r = Notebook(*self.at(f.id), path=f.path, language=f.language, content_base64=f.content_base64,
                             md5=f.md5)
                self.path_of[f.id] = r.path
            else:
                r = WorkspaceFile(*self.at(f.id), path=f.path, content_base64=f.content_base64, md5=f.md5)
                self.path_of[f.id] = r.workspace_path
            self.resources[f.id] = r

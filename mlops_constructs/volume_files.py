"""VolumeFiles: files uploaded to a Unity Catalog volume (databricks_file), e.g. a project's wheels.

Each file is one databricks_file under its own id, its content in ``content_base64`` and its hash in
``md5`` (provider docs: file, "Argument Reference"; only UC volume paths are supported, at most 5 GiB;
the file is identified by ``path``, so a new path, e.g. a new wheel version, is a new file).
"""

from __future__ import annotations

from dataclasses import dataclass

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.rule_adapter import known
from mlops_engine.databricks import File
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class VolumeFileSpec:
    id: str
    """Construct id of this file's resource (stable, e.g. by wheel distribution)."""
    path: str
    """/Volumes/<catalog>/<schema>/<volume>/...: where the file lands."""
    content_base64: str
    """The file's content, base64-encoded."""
    md5: str
    """Hex MD5 of the content."""


@dataclass(frozen=True, kw_only=True)
class VolumeFilesProps:
    files: tuple[VolumeFileSpec, ...]
    """At least one; unique ids and paths."""


class VolumeFiles(FlatUnit):
    """One databricks_file per file; ``path_of[id]`` is a token of its path (jobs installing it are
    ordered after the upload)."""

    def __init__(self, scope: Scope, id: str, props: VolumeFilesProps):
        super().__init__(scope, id)
        if not props.files:
            raise ConstructError(self, "no files to upload")
        if len({f.id for f in props.files}) != len(props.files) or len({f.path for f in props.files}) != len(props.files):
            raise ConstructError(self, "duplicate file id or path")
        for f in props.files:
            if known(f.path) and not f.path.startswith("/Volumes/"):
                raise ConstructError(self, f"path must be in a Unity Catalog volume (/Volumes/...), got {f.path!r} "
                                           "(provider docs: file)")
        self.path_of: dict[str, str] = {}
        for f in props.files:
            r = File(*self.at(f.id), path=f.path, content_base64=f.content_base64, md5=f.md5)
            self.path_of[f.id] = r.path

"""The Databricks provider schema the offline stand-in serves, rebuilt from the installed bindings.

:func:`load_schema` reads the bindings (:mod:`mlops_tools.offline.bindings_reader`),
builds and checks the schema (:mod:`mlops_tools.offline.schema_builder`) and caches
it on disk, keyed by bindings version and tarball size/mtime, so provider processes
start fast. This module is the package's entry point for the schema: the names
callers use (``PROVIDER_ADDRESS``, ``provider_schemas``, ``check_schema``, ...) are
re-exported here.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from mlops_tools.offline.bindings_reader import JsonDict, SchemaBuildError, bindings_tarball, read_bindings
from mlops_tools.offline.schema_builder import (
    MIN_DATA_SOURCES,
    MIN_RESOURCE_TYPES,
    PROVIDER_ADDRESS,
    build_schema,
    check_schema,
    provider_schemas,
)

__all__ = ["MIN_DATA_SOURCES", "MIN_RESOURCE_TYPES", "PROVIDER_ADDRESS", "JsonDict", "SchemaBuildError",
           "atomic_write", "bindings_tarball", "build_schema", "cache_dir", "check_schema", "load_schema",
           "provider_schemas", "read_bindings", "schema_cache_path"]

_CACHE_FORMAT = 2


def cache_dir() -> Path:
    """Directory for on-disk caches ($XDG_CACHE_HOME or ~/.cache, then mlops-platform)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlops-platform"


def _cache_path(tarball: Path) -> Path:
    stat = tarball.stat()
    key = f"{tarball.name}-{stat.st_size}-{int(stat.st_mtime)}-v{_CACHE_FORMAT}"
    return cache_dir() / "schema" / f"{key}.json"


def schema_cache_path() -> Path:
    """Cache file of the schema rebuilt from the installed bindings (may not exist yet)."""
    return _cache_path(bindings_tarball())


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a private temp file and ``os.replace`` (safe for concurrent writers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_schema(*, use_cache: bool = True) -> JsonDict:
    """Return the provider schema, rebuilding it from the bindings when not cached."""
    tarball = bindings_tarball()
    path = _cache_path(tarball)
    if use_cache and path.exists():
        try:
            cached = json.loads(path.read_text())
        except (OSError, ValueError):
            pass
        else:
            check_schema(cached)
            return cached
    schema = build_schema(read_bindings(tarball))
    if use_cache:
        atomic_write(path, json.dumps(schema, separators=(",", ":")))
    return schema

"""Shapes of values Databricks defines: UUIDs, e-mail addresses, commit SHAs, task paths.

Name rules (lengths and characters of Databricks object names) live in
``databricks_spec.names`` (issue 11).
"""

from __future__ import annotations

import re

#: A UUID (account ids, application ids of service principals, notification destination ids).
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: An e-mail address (the shape notifications accept; not a full RFC 5322 parser).
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_PATTERN = EMAIL.pattern
#: A git commit SHA, abbreviated or full (job git_source, 'commit').
COMMIT_SHA = re.compile(r"^[0-9a-f]{7,40}$")
#: A URI scheme followed by ':/' (RFC 3986 scheme syntax): s3://, abfss://, dbfs:/, file:/, r2://...
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:/")


def is_uuid(value: str) -> bool:
    return bool(UUID.match(value))


def is_email(value: str) -> bool:
    return bool(EMAIL.match(value))


def is_relative_path(path: str) -> bool:
    """Whether a task's notebook or Python file path is a path in the job's git repository.

    The provider (job.md, notebook_task and spark_python_task) defines three kinds of path:
    workspace paths are absolute and begin with '/' (/Workspace/..., /Repos/..., /Volumes/...,
    /Shared/...); files may be cloud URIs (s3:/, abfss:/, gs:/, and any other ``scheme:/``
    such as dbfs:/, file:/, abfs://, r2://); paths in a remote repository are relative. So a
    path is relative exactly when it is neither absolute nor a URI.
    """
    return not path.startswith("/") and not _URI.match(path)

"""URL rules for values the provider takes as URLs."""

from __future__ import annotations

from urllib.parse import urlsplit


def validate_workspace_host(value: str) -> str:
    """A Databricks workspace URL: ``https://<host>[:port][/]``, without user info, query or
    fragment (provider docs: "Authentication", ``host``). Returns it without a trailing '/';
    raises ValueError saying what is wrong."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("must be the workspace URL, e.g. https://adb-123.4.azuredatabricks.net") from None
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be the workspace URL starting with https://")
    if "@" in parts.netloc:
        raise ValueError("must not contain user info (credentials come from DATABRICKS_* variables "
                         "or a profile, never from the URL)")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("must not have a query or fragment")
    if parts.path.strip("/"):
        raise ValueError("must be the workspace URL without a path")
    if any(c in value for c in "${}% \\") or (port is not None and not 0 < port < 65536):
        raise ValueError("must be a plain https:// host name")
    return value.rstrip("/")

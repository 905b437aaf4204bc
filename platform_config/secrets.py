"""Refuse literal secrets in configuration.

Credentials reach the Databricks provider through DATABRICKS_* environment
variables, a ~/.databrickscfg profile or Terraform Cloud workspace variables,
never through config/ or the synthesized JSON. Secrets used by workloads are
referenced as ``{{secrets/<scope>/<key>}}``; their values are put outside
Terraform. This module is also used by the tests to scan synthesized output.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from platform_config.errors import Problem, key_path
from platform_config.yaml_source import SourceMap

#: A reference to a Databricks secret, the only allowed way to name one.
SECRET_REFERENCE = re.compile(r"^\{\{secrets/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+\}\}$")

#: Keys whose value is a credential whatever it looks like.
SECRET_KEYS = re.compile(
    r"^(token|password|passwd|pwd|secret|client_secret|api_key|apikey|access_key|"
    r"secret_key|private_key|pat|access_token|refresh_token|auth_token|"
    r"personal_access_token|connection_string|sas_token)$"
    r"|(_token|_password|_secret|_api_key|_access_key|_secret_key|_private_key)$",
    re.IGNORECASE,
)

#: Values that look like credentials wherever they appear.
SECRET_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Databricks personal access token", re.compile(r"\bdapi[0-9a-f]{32}(-\d+)?\b")),
    ("Databricks OAuth secret", re.compile(r"\bdose[0-9a-f]{32,}\b")),
    ("AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}\b")),
    ("Terraform Cloud token", re.compile(r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-]{40,}\b")),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("Azure storage key or SAS", re.compile(r"(AccountKey=|[?&]sig=)[A-Za-z0-9%+/=]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
)


def find_secret_like(text: str) -> str | None:
    """Name the kind of credential ``text`` contains, or None."""
    for label, pattern in SECRET_VALUES:
        if pattern.search(text):
            return label
    return None


def _leaves(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str | None, Any]]:
    """Yield (path, key, value) for every scalar, with the key that holds it."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                yield from _leaves(value, path + (key,))
            else:
                yield path + (key,), key, value
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, (dict, list)):
                yield from _leaves(item, path + (i,))
            else:
                parent = next((p for p in reversed(path) if isinstance(p, str)), None)
                yield path + (i,), parent, item


def scan_for_secrets(data: Any, smap: SourceMap, display: str) -> list[Problem]:
    """Problems for every literal secret in one loaded YAML document."""
    problems = []
    for path, key, value in _leaves(data):
        if value is None or value == "" or isinstance(value, bool):
            continue
        text = str(value)
        if SECRET_REFERENCE.match(text):
            continue
        file, line = smap.locate(path, display)
        if key is not None and SECRET_KEYS.search(str(key)):
            problems.append(Problem(file, line, key_path(path),
                                    "looks like a literal secret; never put credentials in config. "
                                    "Reference a secret as {{secrets/<scope>/<key>}} or pass it "
                                    "through DATABRICKS_* environment variables"))
            continue
        label = find_secret_like(text)
        if label:
            problems.append(Problem(file, line, key_path(path),
                                    f"value looks like a {label}; never put credentials in config"))
    return problems

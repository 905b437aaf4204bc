"""Refuse literal secrets in configuration (the config-aware layer: file, line, key).

Credentials reach the Databricks provider through DATABRICKS_* environment
variables, a ~/.databrickscfg profile or Terraform Cloud workspace variables,
never through config/ or the synthesized JSON. Secrets used by workloads are
referenced as ``{{secrets/<scope>/<key>}}``; their values are put outside
Terraform.

The patterns, the key-name rule and the reference syntax are databricks_spec.secrets;
this module applies them to every mapping key and every scalar value the YAML loader
recorded (``SourceMap.strings``: no second walk of the document), and returns the values
it refused so the message path can make sure no other message echoes them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from databricks_spec.secrets import (SECRET_REFERENCE, find_secret_like, is_secret_key, looks_random,
                                     normalize_key)
from platform_config.errors import Problem, key_path
from platform_config.yaml_source import SourceMap

__all__ = ["SECRET_KEYS", "SECRET_REFERENCE", "find_secret_like", "scan_for_secrets", "scan_source"]


class _SecretKeys:
    """``SECRET_KEYS.search(key)``: whether a key names a credential (databricks_spec.secrets.is_secret_key)."""

    @staticmethod
    def search(key: str) -> bool:
        return is_secret_key(key)


SECRET_KEYS = _SecretKeys()

#: Keys that may hold a credential: a high-entropy value under one is refused.
_MAYBE_CREDENTIAL = re.compile(r"key|auth|cred|token|secret|pass|sig|cert|hash|salt|bearer")

_LITERAL = ("looks like a literal secret; never put credentials in config. Reference a secret as "
            "{{secrets/<scope>/<key>}} or pass it through DATABRICKS_* environment variables")


def _parent_key(path: tuple) -> str | None:
    if path and type(path[-1]) is str:
        return path[-1]
    return next((p for p in reversed(path) if isinstance(p, str)), None)


def _verdict(value: str, is_key: bool, parent: str | None) -> str | None:
    """None: ``value`` (a key when ``is_key``, else a value under key ``parent``) is no secret;
    otherwise the label of what it looks like ('' for any value of a credential-named key)."""
    if not value or SECRET_REFERENCE.match(value):
        return None
    label = find_secret_like(value)
    if label is None and not is_key and parent is not None:
        if is_secret_key(parent):
            label = ""
        elif _MAYBE_CREDENTIAL.search(normalize_key(parent)) and looks_random(value):
            label = "high-entropy credential"
    return label


#: Verdicts on short texts, which repeat within and across files (keys above all); bounded.
_cached_verdict = lru_cache(maxsize=16_384)(_verdict)
#: Longest text whose verdict is kept.
_CACHED_LONGEST = 256


def scan_source(smap: SourceMap, display: str, refused: set[str] | None = None) -> list[Problem]:
    """Problems for every literal secret among the keys and values of one loaded document.
    Every refused text is added to ``refused``."""
    problems: list[Problem] = []
    for path, value, is_key in smap.strings:
        if type(value) is not str:
            value = str(value)
        if is_key:
            parent = None
        else:
            parent = path[-1] if path and type(path[-1]) is str else _parent_key(path)
        label = (_cached_verdict if len(value) <= _CACHED_LONGEST else _verdict)(value, is_key, parent)
        if label is None:
            continue
        if refused is not None:
            refused.add(value)
        file, line = smap.locate(path, display)
        where = key_path(path[:-1]) if is_key else key_path(path)
        what = "key" if is_key else "value"
        summary = f"{what} looks like a {label}; never put credentials in config" if label else _LITERAL
        problems.append(Problem(file, line, where, summary))
    return problems


def scan_for_secrets(data: Any, smap: SourceMap, display: str) -> list[Problem]:
    """Problems for every literal secret in one loaded YAML document (``data`` is unused:
    the loader recorded every key and value in ``smap``)."""
    return scan_source(smap, display)

"""Credential patterns, the Databricks secret-reference syntax, and safe echoing of values.

Pure and jsii-free: the config layer's scanner (platform_config.secrets, which adds
file:line), the message path (``safe_message``) and the tests that scan synthesized
output all use these same tables. No rule exists twice.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

#: A reference to a Databricks secret, ``{{secrets/<scope>/<key>}}``: the only allowed way
#: to name a secret in config. (Databricks docs: "Reference a secret in an environment
#: variable"; scope and key names are letters, digits, '-', '_' and '.'.)
SECRET_REFERENCE = re.compile(r"^\{\{secrets/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+\}\}$")

#: Credential-like key names, matched against the *normalized* key (see ``normalize_key``):
#: whole words or word suffixes, after camelCase, kebab-case and prefixes are folded.
_SECRET_WORDS = (
    "token", "password", "passwd", "pwd", "passphrase", "secret", "client_secret", "api_key",
    "apikey", "access_key", "secret_key", "private_key", "pat", "access_token", "refresh_token",
    "auth_token", "personal_access_token", "connection_string", "conn_str", "sas_token", "sas",
    "credential", "credentials", "webhook_url", "webhook", "signing_key", "encryption_key",
    "account_key", "secret_access_key", "aws_secret_access_key", "bearer", "authorization",
    "cookie", "session_key", "master_key", "shared_key", "jwt",
)
SECRET_KEY_NAME = re.compile(
    r"(^|_)(" + "|".join(sorted(_SECRET_WORDS, key=len, reverse=True)) + r")s?$")


@lru_cache(maxsize=4096)
def normalize_key(key: str) -> str:
    """'clientSecret', 'client-secret', 'X_CLIENT_SECRET ' -> 'client_secret', ...: camelCase
    split, '-', '.', ' ' folded to '_', lower case, repeated '_' collapsed."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key.strip())
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).lower()
    return text.strip("_")


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a key's value is a credential whatever it looks like."""
    return bool(SECRET_KEY_NAME.search(normalize_key(key)))


_B64 = r"[A-Za-z0-9+/]"
#: Values that look like credentials wherever they appear (keys included). (label, pattern)
SECRET_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Databricks personal access token",
     re.compile(r"(?i)dapi(?:-?[0-9a-f]){32}")),
    ("Databricks OAuth secret", re.compile(r"(?i)\bdose[0-9a-f]{32,}\b")),
    ("AWS access key id", re.compile(r"\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b")),
    ("AWS secret access key",
     re.compile(r"(?i)aws_?secret_?(access_?)?key\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{30,}")),
    ("GitHub token", re.compile(r"\b(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b")),
    ("Azure client secret", re.compile(r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])")),
    ("Azure storage connection string or key", re.compile(r"(?i)AccountKey=" + _B64 + r"{20,}")),
    ("Azure SAS signature", re.compile(r"(?i)([?&]|^)sig=[A-Za-z0-9%+/=]{20,}")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("private key", re.compile(r"-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")),
    ("Slack token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}")),
    ("Slack webhook", re.compile(r"(?i)hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9/_-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("Stripe live key", re.compile(r"\b(sk|rk)_live_[0-9A-Za-z]{20,}")),
    ("Terraform Cloud token", re.compile(r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{40,}")),
    # Azure storage URLs spell `container@account` as their authority (abfss://landing@acct.dfs...):
    # that is syntax, not user info, unless a password follows the container.
    ("URL with user info (credentials)", re.compile(
        r"(?i)\b(?:(?!(?:abfss?|wasbs?)://)[a-z][a-z0-9+.-]*://[^\s/@?#]+"
        r"|(?:abfss?|wasbs?)://[^\s/@?#:]*:[^\s/@?#]*)@[^\s/]+")),
)


#: A cheap first pass: every pattern above contains one of these (case-insensitively), so a
#: text without any of them cannot match (most config strings are ruled out by one search).
_PREFILTER = re.compile(r"(?i)dapi|dose|A[KSBCGIRNP][A-Z]A|aws|gh[pousr]_|github_pat_|Q~|AccountKey|sig=|eyJ|"
                        r"-----BEGIN|xox|hooks\.slack|AIza|_live_|atlasv1|://")


def find_secret_like(text: str) -> str | None:
    """Name the kind of credential ``text`` contains, or None."""
    if not _PREFILTER.search(text):
        return None
    for label, pattern in SECRET_VALUES:
        if pattern.search(text):
            return label
    return None


def entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def looks_random(text: str) -> bool:
    """A high-entropy token (>= 16 characters, no spaces, >= 3.5 bits/char): the kind of value
    a credential is. Used for values under credential-like keys."""
    return len(text) >= 16 and not any(c.isspace() for c in text) and entropy(text) >= 3.5


def redact(text: str, extra: set[str] | frozenset[str] = frozenset()) -> str:
    """``text`` with every credential-looking substring, and every string in ``extra``
    (values the scanner refused), replaced by a placeholder naming its kind."""
    for value in sorted(extra, key=len, reverse=True):
        if len(value) >= 4 and value in text:
            text = text.replace(value, "<redacted>")
    for label, pattern in SECRET_VALUES:
        text = pattern.sub(f"<redacted {label}>", text)
    return text


#: Characters shown escaped in messages: controls, bidi overrides/isolates, zero-width
#: characters and other invisible formatting (a reviewer must see what the value holds).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb]")
#: Longest echoed value (a quoted run in a message, or one unbroken word).
MAX_ECHO = 80
#: A quoted value as repr() echoes it: opens after a non-word character, closes before one.
_QUOTED = re.compile(r"(?<!\w)'(?=\S)[^'\n]{%d,}(?<=\S)'(?!\w)|(?<!\w)\"(?=\S)[^\"\n]{%d,}(?<=\S)\"(?!\w)"
                     % (MAX_ECHO - 1, MAX_ECHO - 1))
#: Longest unquoted word kept whole (doc links are long; a pasted blob is longer).
MAX_WORD = 160
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))


def _cut(match: re.Match[str]) -> str:
    text = match.group()
    quote = text[0] if text[0] in "'\"" and text[-1] == text[0] else ""
    body = text[1:-1] if quote else text
    return f"{quote}{body[:(MAX_ECHO if quote else MAX_WORD) - 1]}…{quote}"


def echo(value: object) -> str:
    """A value as a message may show it: its repr, cut to about 80 characters, invisible
    characters escaped, credentials redacted."""
    return safe_message(repr(value))


def safe_message(text: str, extra: set[str] | frozenset[str] = frozenset(), cut: bool = True) -> str:
    """The one filter every user-facing message passes through: credentials redacted,
    echoed values (quoted runs) cut to about 80 characters, invisible characters shown as
    escapes. ``cut=False`` for file names."""
    text = redact(text, extra)
    text = _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    if not cut:
        return text
    text = _QUOTED.sub(_cut, text)
    return _LONG_WORD.sub(_cut, text)

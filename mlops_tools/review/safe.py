"""Put untrusted text into GitHub Markdown as inert data.

Everything a review shows from a plan (addresses, object names, principals,
Terraform's error text) may come from a pull request's code, including a
fork's. GitHub renders comments as Markdown with HTML, @-mentions, #-references
and autolinks, so a value must never reach the comment as Markdown:

* ``code(value)``: an inline code span. Inside one, GitHub renders no Markdown,
  no HTML, no mention and no autolink; backticks and line breaks, the only ways
  out of a span, are replaced, and ``|`` is escaped so a table cell stays one cell.
* ``text(value)``: plain prose: HTML special characters become entities,
  inline Markdown punctuation is backslash-escaped, ``@`` and ``#`` are followed by a
  zero-width space (no mention, no issue reference) and ``://`` is broken (no
  autolink).
* ``fence(value)``: a fenced ``text`` block for multi-line output (Terraform
  errors); the fence is longer than any backtick run inside.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
MAX_VALUE_CHARS = 200
"""Longest single value shown (longer ones are cut with an ellipsis)."""
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()!|~])")
"""Inline Markdown (values never start a line: no heading or list syntax can apply)."""


def _clip(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def code(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """``value`` as an inert inline code span."""
    body = _clip(value, limit)
    body = re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", body).replace("`", "ˋ").replace("|", "\\|")
    if not body.strip():
        body = f"{body or ' '}"
    return f"`{body}`"


def text(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """``value`` as inert prose (no Markdown, HTML, mentions, references or autolinks)."""
    body = re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", _clip(value, limit))
    body = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = _MARKDOWN.sub(r"\\\1", body)
    body = body.replace("@", "@" + ZWSP).replace("#", "#" + ZWSP)
    return body.replace("://", ":" + ZWSP + "//").replace("www.", "www" + ZWSP + ".")


def fence(value: str, limit: int = 2000) -> list[str]:
    """Lines of a fenced text block holding ``value`` literally."""
    body = value if len(value) <= limit else value[:limit] + "\n…"
    body = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", body)
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks + "text", body, ticks]

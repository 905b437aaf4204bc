"""Every config string reaches Terraform as a literal: the one place templates are escaped.

Terraform evaluates ``${...}`` interpolations and ``%{...}`` directives in every string of
a cdk.tf.json, so a config string such as ``"Churn ${file("/etc/hostname")}"`` would be
evaluated by whoever runs ``terraform plan`` (with that job's credentials and files).
``escape_templates`` rewrites ``${`` to ``$${`` and ``%{`` to ``%%{`` (Terraform's own
escapes, which it turns back into the literal text) in every string and mapping key of the
validated config models, once, in the loader, after validation (so validators and
messages see the text as written) and before anything reaches the stacks. Token
references the constructs build themselves are created later and are unaffected.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def escape_string(text: str) -> str:
    """``${`` -> ``$${`` and ``%{`` -> ``%%{``: Terraform reads the result as the literal text."""
    if "{" not in text:
        return text
    return text.replace("${", "$${").replace("%{", "%%{")


def escape_templates(value: Any) -> Any:
    """``value`` (models, dicts, lists, tuples, strings) with every string escaped; objects
    with nothing to escape are returned as they are (same identity)."""
    kind = type(value)
    if kind is str:
        return escape_string(value)
    if isinstance(value, BaseModel):
        update = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            escaped = escape_templates(current)
            if escaped is not current:
                update[name] = escaped
        return value.model_copy(update=update) if update else value
    if kind is dict:
        changed = False
        out = {}
        for key, item in value.items():
            new_key = escape_templates(key)
            new_item = escape_templates(item)
            changed = changed or new_key is not key or new_item is not item
            out[new_key] = new_item
        return out if changed else value
    if kind in (list, tuple):
        items = [escape_templates(item) for item in value]
        if any(new is not old for new, old in zip(items, value)):
            return kind(items)
        return value
    return value

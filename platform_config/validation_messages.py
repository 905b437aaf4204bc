"""Pydantic validation errors as the config layer reports them: one Problem per error at the
user's own key path (file:line from the source map), in words a config author reads. Used by
platform_config.loader."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from platform_config.errors import Problem, key_path
from platform_config.secrets import find_secret_like
from platform_config.yaml_source import SourceMap


def _user_loc(loc: tuple, data: Any) -> tuple:
    """Drop the parts of a pydantic error location that are not in the user's data
    (union member tags such as 'cloud' in ('backend', 'cloud', 'organization'))."""
    out: list = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif i == len(loc) - 1 and isinstance(current, dict):
            pass  # a missing or unknown key: keep it, the user needs its name
        else:
            continue
        out.append(part)
    return tuple(out)


def _validation_problems(exc: ValidationError, smap: SourceMap, display: str,
                         model: type[BaseModel], data: Any) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = _user_loc(tuple(err["loc"]), data)
        message = err["msg"]
        if err["type"] == "value_error":  # our validators' messages, without pydantic's prefix
            message = message.removeprefix("Value error, ")
        if err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            loc += (ctx.get("discriminator", "type").strip("'"),)
            message = f"unknown value {ctx.get('tag')!r} (allowed: {ctx.get('expected_tags')})"
        file, line = smap.locate(loc, display)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            message = "unknown key" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
        elif err["type"] == "missing":
            message = "required key is missing"
        elif err["type"] in ("literal_error", "enum") and not find_secret_like(str(err.get("input"))):
            message = f"{message}, got {err.get('input')!r}"
        elif err["type"] == "string_type" and isinstance(err.get("input"), bool) and loc in smap.bools:
            written = smap.bools[loc]
            message = (f"{message}: YAML 1.1 reads {written} as a boolean; quote it if you mean "
                       f"the text ('{written}')")
        problems.append(Problem(file, line, key_path(loc), message))
    return problems


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Best effort: the keys the model accepts at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        fields = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part not in fields:
            return []
        ann = fields[part].annotation
        while get_origin(ann) is not None:
            args = [a for a in get_args(ann) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                ann = models[0]
                break
            ann = args[-1] if args else None
        current = ann
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted((f.alias or n) for n, f in current.model_fields.items())
    return []

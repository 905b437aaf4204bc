"""Field docstrings: each config key's documentation, read when a JSON Schema is written.

A field's docstring is the string literal right after it in the model's body
(``pause_schedules: bool = False`` and, on the next line, a string saying what it does).
``mlops schema`` shows it as the key's description (:func:`describe_properties`). pydantic
can read these itself when each model class is created (``use_attribute_docstrings``), but
that reads and parses the source of every model on every run of every command, about 0.13 s
of CPU per ``mlops synth``; here they are read only for the schema.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel


@cache
def _own_docstrings(cls: type) -> dict[str, str]:
    """Field name -> docstring, for the fields declared in ``cls``'s own body."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):  # no source (e.g. built at run time): nothing to read
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    out: dict[str, str] = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            out[node.target.id] = inspect.cleandoc(following.value.value)
    return out


def field_docstring(model: type[BaseModel], name: str) -> str | None:
    """The docstring of field ``name`` of ``model``: from the class that declares the field
    (the nearest in the MRO whose own annotations name it), or None."""
    for klass in model.__mro__:
        if name in inspect.get_annotations(klass):
            return _own_docstrings(klass).get(name)
    return None


def _models_in(annotation: Any, found: dict[str, type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ not in found:
            found[annotation.__name__] = annotation
            for info in annotation.model_fields.values():
                _models_in(info.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def describe_properties(schema: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """``schema`` (``model.model_json_schema(by_alias=True)``) with each property of the model and
    of every model in ``$defs`` described by its field's docstring, where the field has no
    description of its own: what pydantic's ``use_attribute_docstrings`` gives. Raises ValueError
    when a ``$defs`` entry names no model reachable from ``model`` (pydantic renamed one)."""
    models: dict[str, type[BaseModel]] = {}
    _models_in(model, models)
    targets = [(schema, model)]
    for name, definition in schema.get("$defs", {}).items():
        if "properties" not in definition:
            continue  # an enum or another non-model definition
        if name not in models:
            raise ValueError(f"schema definition {name!r} is not a config model reachable from {model.__name__}")
        targets.append((definition, models[name]))
    for node, cls in targets:
        properties = node.get("properties", {})
        for name, info in cls.model_fields.items():
            key = info.alias or name
            doc = field_docstring(cls, name) if info.description is None else None
            if doc and key in properties:
                properties[key]["description"] = doc
    return schema

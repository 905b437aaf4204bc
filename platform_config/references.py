"""Role references: config fields that name a role declare it with ``RoleName``.

Every role a project names must exist in the environment it deploys to (the
environment's ``roles`` plus the project's own ``roles``). ``role_references``
finds them generically, so a new config field that names a role is checked by
declaring its type, not by adding a check here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Iterator, get_args, get_origin

from pydantic import BaseModel

from platform_config.base import Slug


class RoleRef:
    """Marker: the annotated string is the name of a role."""

    def __repr__(self) -> str:
        return "RoleRef()"


ROLE = RoleRef()

#: A role name, resolved per environment to groups, users and service principals.
RoleName = Annotated[Slug, ROLE]


def _is_role(annotation: Any) -> bool:
    return any(isinstance(m, RoleRef) for m in getattr(annotation, "__metadata__", ()))


def _strip_optional(annotation: Any) -> list[Any]:
    args = get_args(annotation)
    if get_origin(annotation) is not None and type(None) in args:
        return [a for a in args if a is not type(None)]
    return [annotation]


@lru_cache(maxsize=None)
def _role_fields(model: type[BaseModel]) -> tuple[tuple[str, str, Any], ...]:
    """(attribute, key, annotation) of the fields of ``model`` that can hold a role name
    (computed once per model class, so validated values are not walked where no role can be)."""
    return tuple((name, field.alias or name, field.annotation) for name, field in model.model_fields.items()
                 if _may_hold_role(field.annotation))


def _may_hold(annotation: Any) -> bool:
    """``_may_hold_role``, cached where the annotation is hashable."""
    try:
        return _may_hold_cached(annotation)
    except TypeError:
        return _may_hold_role(annotation)


@lru_cache(maxsize=None)
def _may_hold_cached(annotation: Any) -> bool:
    return _may_hold_role(annotation)


def _may_hold_role(annotation: Any, depth: int = 0) -> bool:
    if annotation is None or annotation is Any or depth > 20:
        return True
    if _is_role(annotation):
        return True
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return any(_may_hold_role(f.annotation, depth + 1) for f in annotation.model_fields.values())
        return annotation in (dict, list, tuple, set, frozenset, object)
    args = get_args(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        return _may_hold_role(args[0], depth + 1)
    return any(_may_hold_role(a, depth + 1) for a in args if a is not type(None) and a is not Ellipsis) \
        if args else True


def role_references(value: Any, annotation: Any = None, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (key path, role name) for every role named inside ``value``."""
    if isinstance(value, BaseModel):
        for name, key, ann in _role_fields(type(value)):
            yield from role_references(getattr(value, name), ann, path + (key,))
        return
    if value is None:
        return
    for ann in _strip_optional(annotation):
        if _is_role(ann) and isinstance(value, str):
            yield path, value
            return
        origin, args = get_origin(ann), get_args(ann)
        if origin is dict and isinstance(value, dict) and len(args) == 2:
            key_role, value_role = _is_role(args[0]), _may_hold(args[1])
            for k, v in value.items():
                if key_role:
                    yield path + (k,), k
                if value_role:
                    yield from role_references(v, args[1], path + (k,))
            return
        if origin in (list, tuple, set, frozenset) and isinstance(value, (list, tuple, set, frozenset)):
            item_ann = args[0] if args else None
            if _may_hold(item_ann):
                for i, item in enumerate(value):
                    yield from role_references(item, item_ann, path + (i,))
            return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from role_references(v, None, path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from role_references(item, None, path + (i,))

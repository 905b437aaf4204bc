"""Role references: config fields that name a role declare it with ``RoleName``.

Every role a project names must exist in the environment it deploys to (the
environment's ``roles`` plus the project's own ``roles``). ``role_references``
finds them generically, so a new config field that names a role is checked by
declaring its type, not by adding a check here.
"""

from __future__ import annotations

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


def role_references(value: Any, annotation: Any = None, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (key path, role name) for every role named inside ``value``."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            yield from role_references(getattr(value, name), field.annotation, path + (key,))
        return
    if value is None:
        return
    for ann in _strip_optional(annotation):
        if _is_role(ann) and isinstance(value, str):
            yield path, value
            return
        origin, args = get_origin(ann), get_args(ann)
        if origin is dict and isinstance(value, dict) and len(args) == 2:
            for k, v in value.items():
                if _is_role(args[0]):
                    yield path + (k,), k
                yield from role_references(v, args[1], path + (k,))
            return
        if origin in (list, tuple, set, frozenset) and isinstance(value, (list, tuple, set, frozenset)):
            for i, item in enumerate(value):
                yield from role_references(item, args[0] if args else None, path + (i,))
            return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from role_references(v, None, path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from role_references(item, None, path + (i,))

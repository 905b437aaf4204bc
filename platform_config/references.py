"""Role references: config fields that name a role declare it with ``RoleName``.

Every role a project names must exist in the environment it deploys to (the
environment's ``roles`` plus the project's own ``roles``). ``role_references``
finds them generically, so a new config field that names a role is checked by
declaring its type, not by adding a check here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Iterator, Literal, get_args, get_origin

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
    if origin is Literal:  # constants: nothing inside to walk, and no role (a role is RoleName)
        return False
    if origin is Annotated:
        return _may_hold_role(args[0], depth + 1)
    return any(_may_hold_role(a, depth + 1) for a in args if a is not type(None) and a is not Ellipsis) \
        if args else True


#: What ``role_references`` does with a value, per alternative of its annotation (see ``_plan``).
_ROLE, _DICT, _SEQUENCE, _NONE = range(4)
_SEQUENCES = (list, tuple, set, frozenset)
#: id(annotation) -> (annotation, plan); holding the annotation keeps its id from being reused.
_PLANS: dict[int, tuple[Any, tuple]] = {}


def _plan(annotation: Any) -> tuple:
    """The alternatives of ``annotation`` (Optional stripped), each reduced once to what the
    walk needs: (_ROLE,), (_DICT, key is a role, value annotation or None when it holds no
    role), (_SEQUENCE, item annotation, whether items may hold a role) or (_NONE,)."""
    hit = _PLANS.get(id(annotation))
    if hit is not None and hit[0] is annotation:
        return hit[1]
    plan = []
    for ann in _strip_optional(annotation):
        origin, args = get_origin(ann), get_args(ann)
        if _is_role(ann):
            plan.append((_ROLE,))
        elif origin is dict and len(args) == 2:
            plan.append((_DICT, _is_role(args[0]), args[1] if _may_hold(args[1]) else _NOT_WALKED))
        elif origin in _SEQUENCES:
            item_ann = args[0] if args else None
            plan.append((_SEQUENCE, item_ann, _may_hold(item_ann)))
        else:
            plan.append((_NONE,))
    result = tuple(plan)
    _PLANS[id(annotation)] = (annotation, result)
    return result


_NOT_WALKED = object()


def role_references(value: Any, annotation: Any = None, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (key path, role name) for every role named inside ``value``."""
    out: list[tuple[tuple, str]] = []
    _collect(value, annotation, path, out)
    return iter(out)


def _collect(value: Any, annotation: Any, path: tuple, out: list) -> None:
    if isinstance(value, BaseModel):
        for name, key, ann in _role_fields(type(value)):
            child = getattr(value, name)
            if child is not None:
                _collect(child, ann, path + (key,), out)
        return
    if value is None:
        return
    for step in _plan(annotation):
        kind = step[0]
        if kind is _ROLE:
            if isinstance(value, str):
                out.append((path, value))
                return
        elif kind is _DICT:
            if isinstance(value, dict):
                key_role, value_ann = step[1], step[2]
                for k, v in value.items():
                    if key_role:
                        out.append((path + (k,), k))
                    if value_ann is not _NOT_WALKED:
                        _collect(v, value_ann, path + (k,), out)
                return
        elif kind is _SEQUENCE:
            if isinstance(value, _SEQUENCES):
                if step[2]:
                    item_ann = step[1]
                    for i, item in enumerate(value):
                        _collect(item, item_ann, path + (i,), out)
                return
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, None, path + (k,), out)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _collect(item, None, path + (i,), out)

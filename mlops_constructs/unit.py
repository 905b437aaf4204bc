"""Where a construct sits, known in Python: its stack and its path below the stack.

A construct's Terraform address is a function of its construct path
(``mlops_engine.logical_ids``). Knowing the path in Python lets a construct

* create its resources as direct children of the stack under the id the path gives them
  (:meth:`FlatUnit.at`), so a grouping level costs no jsii round trip and the
  address is the one a nested construct would get;
* name itself in a message without asking jsii for ``node.path`` (``construct_path``).

:class:`FlatUnit` is the base of the units (every construct of mlops_constructs): a level of
the path whose children are resources and other flat units. :class:`Unit` is the base of
the few that stay constructs (a project's and the platform's units in stacks/, which carry
annotations and providers). Both record their :class:`Location`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from constructs import Construct

from mlops_engine.logical_ids import construct_id, logical_id

_LOCATION = "_mlops_location"
_UNIT_PATHS = "_mlops_unit_paths"


@dataclass(frozen=True)
class Location:
    """A point of the construct tree: the stack, the stack's own path and the components below it."""

    stack: Any
    """The TerraformStack holding everything below this point."""
    stack_path: str
    """The stack's construct path (its id, for a stack of the app)."""
    parts: tuple[str, ...] = ()
    """The construct ids from the stack down to this point; () for the stack itself."""

    def child(self, id: str) -> "Location":
        return Location(self.stack, self.stack_path, (*self.parts, construct_id(id)))

    @property
    def path(self) -> str:
        """The construct path, as ``node.path`` would read it."""
        return "/".join((self.stack_path, *self.parts)) if self.stack_path else "/".join(self.parts)


def located(scope: Any) -> Location:
    """The location of ``scope``: recorded for our units and stacks; read from jsii once (and
    remembered) for any other construct."""
    found = getattr(scope, _LOCATION, None)
    if found is not None:
        return found
    from mlops_engine import TerraformStack

    if isinstance(scope, TerraformStack):
        found = Location(scope, str(scope.node.path))
    else:
        stack = TerraformStack.of(scope)
        stack_location = located(stack)
        below = str(scope.node.path)[len(stack_location.stack_path):].strip("/")
        found = Location(stack, stack_location.stack_path, tuple(below.split("/")) if below else ())
    object.__setattr__(scope, _LOCATION, found)
    return found


def unit_paths(stack: Any) -> dict[str, str]:
    """Logical id -> unit path (``<stack>/<project>/<unit>/Resource``) of every element that a
    flat unit created in ``stack``: the construct path it would have in a tree of constructs.
    ``mlops_tools.synth`` writes these into the synthesized ``//`` metadata, so the output
    names each resource by its unit, as before units were flat."""
    found = getattr(stack, _UNIT_PATHS, None)
    if found is None:
        found = {}
        object.__setattr__(stack, _UNIT_PATHS, found)
    return found


def record_stack(stack: Any, path: str) -> None:
    """Record a stack's location when its path is known without asking (a stack of the app: its id)."""
    object.__setattr__(stack, _LOCATION, Location(stack, path))


class _Located:
    """The location a unit recorded when it was built, and its path for messages."""

    def _record(self, scope: Any, id: str) -> None:
        object.__setattr__(self, _LOCATION, located(scope).child(id))

    @property
    def location(self) -> Location:
        return getattr(self, _LOCATION)

    @property
    def construct_path(self) -> str:
        """This unit's path, for messages (no jsii round trip)."""
        return self.location.path


class Unit(Construct, _Located):
    """A construct that records its location in Python (see the module docstring)."""

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        self._record(scope, id)


class FlatUnit(_Located):
    """A level of the construct path that is not a construct: its resources are created in the
    stack under the ids :meth:`at` gives, which are the addresses they would have as children
    of a construct at this point. A flat unit can hold resources and other flat units, not
    constructs; an annotation goes on one of its resources."""

    def __init__(self, scope: Any, id: str):
        self._record(scope, id)

    def at(self, id: str) -> tuple[Any, str]:
        """``(scope, id)`` for a child element ``id``: the stack, and the id that gives the
        element the address of ``<this unit's path>/<id>``. Use as ``Schema(*self.at("Resource"), ...)``.
        The element's unit path is remembered for the synthesized metadata (:func:`unit_paths`)."""
        where = self.location
        child = where.child(id)
        element_id = logical_id(child.parts)
        unit_paths(where.stack)[element_id] = child.path
        return where.stack, element_id


Scope = Union[Construct, FlatUnit]
"""What a unit is built in: a construct (a stack, a Unit) or another flat unit."""

"""The one way a unit references an object the platform does not own (issue 10 item 4): the
``from_name`` / ``from_id`` factories of UcCatalog, ClusterPolicy, SqlWarehouse,
ServicePrincipalUnit and NotificationDestination build their unit with :func:`reference_unit`."""

from __future__ import annotations

from typing import TypeVar

from mlops_constructs.unit import FlatUnit

U = TypeVar("U", bound=FlatUnit)


def reference_unit(cls: type[U], scope: object, id: str) -> U:
    """A construct of ``cls`` at ``scope``/``id`` (the same id as a created unit, so the same
    addresses) without running ``cls.__init__``, which would create the object; its
    ``resource`` is None. The factory then adds the data source or the given id."""
    unit = cls.__new__(cls)
    FlatUnit.__init__(unit, scope, id)
    unit.resource = None  # type: ignore[attr-defined]
    return unit

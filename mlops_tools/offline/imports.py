"""Import in the offline stand-in provider: the state of an object adopted by an ``import`` block.

The stand-in never reaches a workspace, so it knows of an existing object only what its
import id says (:func:`databricks_spec.import_ids.id_attributes`: a schema ``c.s`` has
``catalog_name = "c"`` and ``name = "s"``; a job's number says nothing more). The imported
state holds exactly that, every other attribute null, and carries :data:`IMPORTED` as its
private data so that planning knows which attributes it really knows:

* ``ImportResourceState`` answers :func:`imported_state`; ``ReadResource`` returns it as it is
  (the object "exists" exactly as imported);
* ``PlanResourceChange`` on such a prior plans the configuration in place (Terraform shows
  "will be imported" plus the attributes set by the update) and asks for a replacement only
  where a known attribute differs: an id naming another object than the configuration (a
  schema imported as ``c.other`` for ``name = "s"``) shows the replacement a real deploy would do.
  Attributes the stand-in cannot know are never a reason to replace.

The first apply drops the private data: from then on the state is an ordinary one.
"""

from __future__ import annotations

from typing import Any

from databricks_spec.import_ids import id_attributes

IMPORTED = b'{"mlops-offline":"imported"}'
"""Private data of a state created by an offline import (until its first apply)."""

JsonDict = dict[str, Any]


def _empty_block(block: JsonDict) -> JsonDict:
    value: JsonDict = {name: None for name in block.get("attributes", {})}
    for name, nested in block.get("block_types", {}).items():
        mode = nested.get("nesting_mode")
        value[name] = [] if mode in ("list", "set") else {} if mode == "map" else None
    return value


def imported_state(type_name: str, block: JsonDict, import_id: str) -> JsonDict:
    """The state of ``type_name`` imported by ``import_id``: a full object of the schema with
    ``id`` and the attributes the id determines, every other attribute null (empty blocks)."""
    state = _empty_block(block)
    state["id"] = import_id
    for name, value in id_attributes(type_name, import_id).items():
        if name in state:
            state[name] = value
    return state


def is_imported(private: bytes) -> bool:
    """Whether a prior state came from an offline import (not yet applied)."""
    return private == IMPORTED


def known_prior(type_name: str, prior: JsonDict, proposed: JsonDict) -> JsonDict:
    """The prior of an imported object as far as the stand-in knows it: the proposed values,
    except the id and the attributes the import id determines (compared for replacement)."""
    known = {"id", *id_attributes(type_name, str(prior.get("id") or ""))}
    return {**proposed, **{k: v for k, v in prior.items() if k in known}}

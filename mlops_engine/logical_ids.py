"""The engine's logical-id scheme, computed in Python: the Terraform address a construct path gets.

cdktf (and CDK Terrain, which keeps it) names an element of a stack after its construct
path below the stack (``TerraformStack.allocateLogicalId`` -> ``makeUniqueId``):

* ``Default`` components are dropped;
* a single remaining component is the id itself (characters outside ``[A-Za-z0-9_-]``
  removed), when that is at most 255 characters;
* otherwise the id is a human part and a hash: the components with ``Resource`` left out,
  a component dropped when the previous one ends with it, characters outside
  ``[A-Za-z0-9_-]`` removed, joined by ``_`` and cut to 240 characters; then ``_`` and the
  first 8 hex digits, upper case, of the MD5 of all the components (``Resource`` included)
  joined by ``/``.

Constructs (``mlops_constructs.unit``) use it to create a resource as a direct child of its
stack under the id its construct path would get, instead of creating a plain Construct for
every level of the path: one jsii round trip per resource instead of one per level, the
same address. Its ``//`` metadata then names the element by its flat path;
:func:`with_unit_paths` writes the unit path back (``mlops_tools.synth`` does, after the
engine has written the stack), so the output is what a tree of constructs would give.
``tests/engine/test_logical_ids.py`` checks both against the engine, on both engines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence

HIDDEN_FROM_HUMAN_ID = "Resource"
HIDDEN_ID = "Default"
_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")
_MAX_ID, _MAX_HUMAN, _HASH_LEN = 255, 240, 8


def construct_id(id: str) -> str:
    """The id a construct is given for ``id``: the constructs library writes ``/`` as ``--``."""
    return id.replace("/", "--")


def logical_id(components: Sequence[str]) -> str:
    """The logical id (Terraform address name) of the element at ``components`` below its stack."""
    parts = [c for c in components if c != HIDDEN_ID]
    if not parts:
        raise ValueError("a logical id needs at least one path component")
    if len(parts) == 1:
        candidate = _DISALLOWED.sub("", parts[0])
        if len(candidate) <= _MAX_ID:
            return candidate
    digest = hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()[:_HASH_LEN].upper()
    human: list[str] = []
    for part in parts:
        if not human or not human[-1].endswith(part):
            human.append(part)
    text = "_".join(_DISALLOWED.sub("", p) for p in human if p != HIDDEN_FROM_HUMAN_ID)[:_MAX_HUMAN]
    return f"{text}_{digest}"


# The engine writes each element's construct path into its ``//`` metadata, followed by its
# logical id (cdk.tf.json, keys sorted, two-space indent):
#     "path": "dev/churn_schema_features_1A2B3C4D",
#     "uniqueId": "churn_schema_features_1A2B3C4D"
_METADATA_PATH = re.compile(r'"path": ("(?:[^"\\\n]|\\.)*")(,\n[ ]*"uniqueId": "([A-Za-z0-9_-]+)")')


def with_unit_paths(text: str, stack_path: str, unit_paths: Mapping[str, str]) -> str:
    """``text`` (a synthesized cdk.tf.json of the stack at ``stack_path``) with the metadata path
    of every element in ``unit_paths`` (logical id -> unit path) set to its unit path, where the
    element sits directly in the stack. Nothing else changes, byte for byte."""
    def put(match: re.Match[str]) -> str:
        unit = unit_paths.get(match.group(3))
        if unit is None or json.loads(match.group(1)) != f"{stack_path}/{match.group(3)}":
            return match.group(0)
        return f'"path": {json.dumps(unit, ensure_ascii=False)}{match.group(2)}'

    return _METADATA_PATH.sub(put, text)

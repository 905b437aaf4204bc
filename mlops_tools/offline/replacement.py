"""Which attribute changes force the offline provider to plan a replacement.

The real provider marks ForceNew attributes inside its own code; the schema
Terraform sees does not carry them. The offline provider therefore answers
``requires_replace`` from the same table the plan review uses
(``databricks_spec.replacement_rules``, effect "replace"), so an offline plan
shows the delete/create a real deploy would do, with Terraform's replace_paths.
"""

from __future__ import annotations

from typing import Any, Iterator

from tf.gen import tfplugin_pb2 as pb

from databricks_spec.replacement_rules import RULES

Step = pb.AttributePath.Step


def _walk(parts: list[str], prior: Any, new: Any, steps: list[Step],
          first_set_ok: bool) -> Iterator[list[Step]]:
    """Yield the attribute paths under ``parts`` whose value differs between prior and new
    (a first-time set does not count when ``first_set_ok``)."""
    if not parts:
        if prior != new and not (first_set_ok and prior is None):
            yield steps
        return
    name, rest = parts[0], parts[1:]
    prior_val = prior.get(name) if isinstance(prior, dict) else None
    new_val = new.get(name) if isinstance(new, dict) else None
    here = steps + [Step(attribute_name=name)]
    if rest and isinstance(prior_val, list) and isinstance(new_val, list) and len(prior_val) == len(new_val):
        for index, (p, n) in enumerate(zip(prior_val, new_val)):
            yield from _walk(rest, p, n, here + [Step(element_key_int=index)], first_set_ok)
    elif rest and isinstance(prior_val, dict) and isinstance(new_val, dict):
        yield from _walk(rest, prior_val, new_val, here, first_set_ok)
    elif prior_val != new_val and not (first_set_ok and not prior_val):
        yield here


def requires_replace(type_name: str, prior: dict[str, Any], proposed: dict[str, Any]) -> list[pb.AttributePath]:
    """Attribute paths whose change from prior to proposed forces recreation."""
    paths = []
    for rule in RULES.get(type_name, ()):
        if rule.effect != "replace":
            continue
        parts = rule.attribute.split(".")
        paths.extend(pb.AttributePath(steps=s)
                     for s in _walk(parts, prior, proposed, [], rule.first_set_ok))
    return paths

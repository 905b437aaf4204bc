"""Provider rules for databricks_model_serving (provider docs: model_serving).

The same concept as ``platform_config.serving`` (the ``serving:`` config) and
``mlops_constructs.serving_endpoint`` (the construct), seen from the spec layer.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from databricks_spec.docs import provider_doc
from databricks_spec.enums import MAX_SERVED_ENTITIES
from databricks_spec.rules import Finding
from databricks_spec.secrets import SECRET_REFERENCE

#: An environment variable name of a served entity.
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_BOUNDS = (("min_provisioned_concurrency", "max_provisioned_concurrency"),
           ("min_provisioned_throughput", "max_provisioned_throughput"))


def serving_doc(section: str | None = None) -> str:
    return provider_doc("model_serving", section)


def served_entity_count(count: int) -> list[Finding]:
    if count == 0:
        return [Finding((), "an endpoint needs at least one served entity")]
    if count > MAX_SERVED_ENTITIES:
        return [Finding((), f"an endpoint serves at most {MAX_SERVED_ENTITIES} entities, got {count}",
                        serving_doc("served_entities"))]
    return []


def pending_versions(versions: Mapping[str, object]) -> list[Finding]:
    """Either every entity has a version or none has (a pending endpoint); key (entity, 'version')."""
    known = sorted(n for n, v in versions.items() if v is not None)
    pending = sorted(n for n, v in versions.items() if v is None)
    if known and pending:
        return [Finding((n, "version"), f"entity '{n}' has no version while {', '.join(known)} has one: set "
                                        "its version, or remove the entity until it has one (only a whole "
                                        "endpoint can be pending)") for n in pending]
    return []


def entity_sizing(workload_size: str | None, bounds: Mapping[str, int | None]) -> list[Finding]:
    """workload_size excludes provisioned concurrency/throughput, which exclude each other and
    come as (min, max) pairs with min <= max. ``bounds`` maps the four bound names to values."""
    out = []
    concurrency = [k for k in _BOUNDS[0] if bounds.get(k) is not None]
    throughput = [k for k in _BOUNDS[1] if bounds.get(k) is not None]
    if workload_size is not None and (concurrency or throughput):
        other = (concurrency or throughput)[0]
        out.append(Finding(("workload_size",), f"workload_size and {other} are mutually exclusive: size the "
                                               "entity either by workload_size or by provisioned "
                                               "concurrency/throughput",
                           serving_doc("served_entities Configuration Block")))
    if concurrency and throughput:
        out.append(Finding((throughput[0],), "provisioned concurrency and provisioned throughput are "
                                             "mutually exclusive"))
    for low, high in _BOUNDS:
        lo, hi = bounds.get(low), bounds.get(high)
        if (lo is None) != (hi is None):
            out.append(Finding((high if hi is None else low,), f"set both {low} and {high}"))
        elif lo is not None and hi is not None and lo > hi:
            out.append(Finding((low,), f"{low} ({lo}) must not exceed {high} ({hi})"))
    return out


def environment_vars(variables: Mapping[str, str]) -> list[Finding]:
    """Served entities' environment variables only reference secrets ({{secrets/<scope>/<key>}},
    databricks_spec.secrets.SECRET_REFERENCE); key = variable name."""
    out = []
    for name, ref in variables.items():
        if not ENV_VAR_NAME.match(name):
            out.append(Finding((name,), "not a valid environment variable name (letters, digits and '_', not "
                                        "starting with a digit)"))
        elif not SECRET_REFERENCE.match(str(ref)):
            out.append(Finding((name,), "environment variables may only reference secrets as "
                                        "{{secrets/<scope>/<key>}}; a literal value would be stored in "
                                        "config and Terraform state"))
    return out


def traffic(entities: Sequence[str], split: Mapping[str, int]) -> list[Finding]:
    """The traffic split names every entity, only entities, with 0-100 percent summing to 100;
    several entities need one. Keys: ('traffic',) or (entity,) below the split."""
    names = sorted(entities)
    if not split:
        if len(names) > 1:
            return [Finding(("traffic",), f"several entities ({', '.join(names)}) need a traffic split: "
                                          "entity name -> percent, summing to 100")]
        return []
    unknown = [Finding((n,), f"no entity named '{n}' (entities: {', '.join(names)})")
               for n in split if n not in names]
    if unknown:
        return unknown
    missing = sorted(set(names) - set(split))
    if missing:
        return [Finding((), f"traffic must name every entity; missing: {', '.join(missing)} "
                            "(use 0 to serve without routing traffic)")]
    out = [Finding((n,), f"traffic percentages must be 0-100, got {v}") for n, v in split.items()
           if not 0 <= v <= 100]
    total = sum(split.values())
    if total != 100:
        text = ", ".join(f"{k}={v}" for k, v in sorted(split.items()))
        out.append(Finding((), f"traffic percentages must sum to 100, got {total} ({text})",
                           serving_doc("traffic_config Configuration Block")))
    return out


def rate_limit(key: str, principal: str | None, calls: int) -> list[Finding]:
    """One rate limit: an 'endpoint' limit takes no principal; calls are positive."""
    out = []
    if key == "endpoint" and principal:
        out.append(Finding(("principal",), "a rate limit with key 'endpoint' applies to the whole endpoint "
                                           "and takes no principal"))
    if calls <= 0:
        out.append(Finding(("calls",), "calls must be greater than 0"))
    return out


def unique_rate_limits(limits: Sequence[tuple[str, str | None]]) -> list[Finding]:
    """At most one limit per (key, principal); key = the index of the repeat."""
    out = []
    seen: dict[tuple, int] = {}
    for i, (key, principal) in enumerate(limits):
        if (key, principal) in seen:
            who = f" for {principal}" if principal else ""
            out.append(Finding((i,), f"duplicate rate limit (key {key}{who}), already set at "
                                     f"rate_limits[{seen[(key, principal)]}]"))
        seen.setdefault((key, principal), i)
    return out

"""Provider rules for databricks_quality_monitor (provider docs: quality_monitor).

The same concept as ``platform_config.monitoring`` (the ``monitors:`` config) and
``mlops_constructs.quality_monitor`` (the construct), seen from the spec layer.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from databricks_spec.docs import provider_doc
from databricks_spec.enums import GRANULARITIES
from databricks_spec.rules import Finding

PROFILES = ("inference_log", "time_series", "snapshot")


def one_profile(profiles: Iterable[str]) -> list[Finding]:
    """Exactly one of inference_log, time_series and snapshot; key: the second one, if any."""
    given = set(profiles)
    found = [p for p in PROFILES if p in given]
    if len(found) != 1:
        return [Finding((found[1],) if len(found) > 1 else (),
                        "a monitor needs exactly one profile: inference_log, time_series or snapshot "
                        f"(found: {', '.join(found) or 'none'})", provider_doc("quality_monitor"))]
    return []


def unique(values: Sequence[str], what: str) -> list[Finding]:
    dupes = sorted({v for v in values if list(values).count(v) > 1})
    return [Finding((), f"duplicate {what}: {', '.join(dupes)}")] if dupes else []


def granularities(values: Sequence[str]) -> list[Finding]:
    """At least one aggregation window, each one Lakehouse Monitoring accepts, none twice."""
    if not values:
        return [Finding((), "at least one granularity is required")]
    bad = sorted(set(values) - set(GRANULARITIES))
    if bad:
        return [Finding((), f"unsupported granularities {', '.join(bad)}; valid: {', '.join(GRANULARITIES)}",
                        provider_doc("quality_monitor", "Argument Reference"))]
    return unique(values, "granularity")

"""Databricks SQL and notification facts: warehouse sizes and channels, notification
destination types, alert operators, and the small pure rules over them (no jsii).

The same concept as platform_config.observability (its config models), resolution.observability
and stacks.observability, seen as provider facts.

The config layer calls these rules through its adapter (file:line attached); the
constructs call the same functions on their props, skipping unresolved tokens. No rule
exists twice.

Sources (provider docs 1.99.0): sql_endpoint ('Argument reference'), alert ('condition'),
notification_destination ('Argument Reference'), data-sources/notification_destinations
('type'), permissions ('SQL warehouse usage', 'Dashboard usage', 'SQL Query usage',
'SQL Alert usage').

Release stage: ``databricks_alert`` (with ``databricks_query``) is generally available and
supersedes the deprecated ``databricks_sql_alert``; ``databricks_alert_v2`` is Public
Preview. The platform emits ``databricks_alert`` and runs it on a schedule with a job's
``sql_task.alert`` (schedule, pause status and subscriptions are GA job features).
"""

from __future__ import annotations

import math
from typing import Iterable

from databricks_spec.docs import provider_doc
from databricks_spec.rules import Finding

#: databricks_sql_endpoint.cluster_size, smallest first.
WAREHOUSE_SIZES: tuple[str, ...] = ("2X-Small", "X-Small", "Small", "Medium", "Large", "X-Large",
                                     "2X-Large", "3X-Large", "4X-Large")

#: Config spelling -> databricks_sql_endpoint.channel.name.
CHANNELS: dict[str, str] = {"current": "CHANNEL_NAME_CURRENT", "preview": "CHANNEL_NAME_PREVIEW"}

#: Notification destination type (config) -> (config block of the resource, data source
#: ``type`` filter, the secret fields the block takes, which are required).
DESTINATION_TYPES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "email": ("email", "EMAIL", (), ()),
    "slack": ("slack", "SLACK", ("url",), ("url",)),
    "microsoft_teams": ("microsoft_teams", "MICROSOFT_TEAMS", ("url",), ("url",)),
    "pagerduty": ("pagerduty", "PAGERDUTY", ("integration_key",), ("integration_key",)),
    "generic_webhook": ("generic_webhook", "WEBHOOK", ("url", "password"), ("url",)),
}

#: Every field of a destination block that holds a credential or a webhook URL: never in config.
DESTINATION_SECRET_FIELDS: frozenset[str] = frozenset(
    {"url", "integration_key", "password", "oauth_token", "auth_secret", "channel_url"})

#: databricks_alert condition.op values with a threshold.
ALERT_OPS: tuple[str, ...] = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL",
                              "EQUAL", "NOT_EQUAL")

#: databricks_alert condition.empty_result_state values.
EMPTY_RESULT_STATES: tuple[str, ...] = ("UNKNOWN", "OK", "TRIGGERED")

#: Serverless warehouses may stop after 1 idle minute; classic and pro ones after 10 (0: never).
MIN_AUTO_STOP_SERVERLESS, MIN_AUTO_STOP_CLASSIC = 1, 10

#: Databricks limit on clusters of one warehouse.
MAX_WAREHOUSE_CLUSTERS = 40

_DOCS = "provider docs: sql_endpoint"


_WAREHOUSE_DOC = provider_doc("sql_endpoint", "Argument reference")


def warehouse_size_problem(size: str) -> list[Finding]:
    """Why ``size`` is not a warehouse size (no findings: it is one)."""
    if size in WAREHOUSE_SIZES:
        return []
    return [Finding((), f"unknown warehouse size {size!r}; use one of {', '.join(WAREHOUSE_SIZES)}",
                    f"{_DOCS}, cluster_size")]


def channel_problem(channel: str) -> list[Finding]:
    """Why ``channel`` is not a release channel (config spelling)."""
    if channel in CHANNELS:
        return []
    return [Finding((), f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}", f"{_DOCS}, channel.name")]


def cluster_bounds_problem(min_clusters: int, max_clusters: int) -> list[Finding]:
    """Why min/max clusters are not a valid pair."""
    if min_clusters < 1 or max_clusters < 1:
        return [Finding((), "min_clusters and max_clusters must be at least 1", _DOCS)]
    if max_clusters > MAX_WAREHOUSE_CLUSTERS:
        return [Finding((), f"max_clusters is at most {MAX_WAREHOUSE_CLUSTERS}", _WAREHOUSE_DOC)]
    if min_clusters > max_clusters:
        return [Finding((), f"min_clusters ({min_clusters}) is above max_clusters ({max_clusters})", _WAREHOUSE_DOC)]
    return []


def auto_stop_problem(minutes: int, serverless: bool) -> list[Finding]:
    """Why ``auto_stop_mins`` is not accepted for this warehouse kind (0: never stop)."""
    least = MIN_AUTO_STOP_SERVERLESS if serverless else MIN_AUTO_STOP_CLASSIC
    if minutes == 0 or minutes >= least:
        return []
    kind = "a serverless" if serverless else "a classic or pro"
    return [Finding((), f"auto_stop_mins of {kind} warehouse is 0 (never) or at least {least}, got {minutes}",
                    _WAREHOUSE_DOC)]


def destination_type_problem(kind: str) -> list[Finding]:
    """Why ``kind`` is not a notification destination type."""
    if kind in DESTINATION_TYPES:
        return []
    return [Finding((), f"unknown destination type {kind!r}; use one of {', '.join(DESTINATION_TYPES)}",
                    "provider docs: notification_destination, config")]


def bounds_problem(minimum: float | None, maximum: float | None, *, low: float | None = None,
                   high: float | None = None) -> str | None:
    """Why a [minimum, maximum] bound pair is empty or contradictory, or None. ``low``/``high``:
    the range the metric can take (e.g. 0..1 for a rate)."""
    if minimum is None and maximum is None:
        return "set min, max or both: an alert without bounds never fires"
    for value in (minimum, maximum):
        if value is not None and not math.isfinite(value):
            return "bounds must be finite numbers"
    if minimum is not None and maximum is not None and minimum >= maximum:
        return f"min ({minimum:g}) must be below max ({maximum:g}): no value could be inside the bounds"
    for value in (minimum, maximum):
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            return f"bounds must lie within {low:g}..{high:g}, got {value:g}"
    return None


def unknown_names(names: Iterable[str], known: Iterable[str]) -> list[str]:
    """The names not in ``known``, sorted (one message shape for every reference check)."""
    known = set(known)
    return sorted({n for n in names if n not in known})


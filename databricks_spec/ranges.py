"""Integer widths the Databricks APIs store, so config refuses what the workspace would.

Every integer in config must fit 64 bits (checked by the YAML loader for any key). The
fields below are 32-bit (``int32`` in the Jobs, Clusters, Cluster Policies and Serving
API specs); the config layer checks them by key name, wherever they appear. Model
versions, rate-limit ``calls`` and health-rule thresholds are ``int64``.
"""

from __future__ import annotations

from databricks_spec.docs import databricks_doc
from databricks_spec.rules import Finding

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

#: Config keys whose value the API stores as a 32-bit integer.
INT32_KEYS = frozenset({
    "min_workers", "max_workers", "num_workers",                      # clusters / autoscale
    "timeout_seconds", "max_retries", "min_retry_interval_millis",    # jobs, tasks
    "max_concurrent_runs", "min_time_between_triggers_seconds", "wait_after_last_change_seconds",
    "interval",                                                       # periodic trigger
    "autotermination_minutes", "max_clusters_per_user",
    "min_provisioned_concurrency", "max_provisioned_concurrency",     # serving
    "min_provisioned_throughput", "max_provisioned_throughput",
})


_API_DOC = databricks_doc("REST API reference", "int32 and int64 fields")


def int_range_problem(key: str | None, value: int) -> list[Finding]:
    """Whether ``value`` under ``key`` is outside what the API stores."""
    if key in INT32_KEYS and not INT32_MIN <= value <= INT32_MAX:
        return [Finding((), f"{value} does not fit a 32-bit integer ({INT32_MIN}..{INT32_MAX}), "
                            f"as the API stores {key}", _API_DOC)]
    if not INT64_MIN <= value <= INT64_MAX:
        return [Finding((), f"{value} does not fit a 64-bit integer", _API_DOC)]
    return []

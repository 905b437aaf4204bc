"""Enumerated values the provider accepts, each written once as a ``Literal``.

The config layer uses the ``Literal`` types as field types (pydantic then lists the allowed
values in its message); constructs check props against the derived ``frozenset``\\ s. Sources:
provider docs 1.99.0 (job.md, model_serving.md, quality_monitor.md, cluster.md, volume.md).
"""

from __future__ import annotations

from typing import Literal, get_args

# --------------------------------------------------------------------------- jobs (job.md)

#: health rules, 'metric'.
HealthMetric = Literal["RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES", "STREAMING_BACKLOG_RECORDS",
                       "STREAMING_BACKLOG_SECONDS", "STREAMING_BACKLOG_FILES"]
#: git_source, 'provider'.
GitProvider = Literal["gitHub", "gitHubEnterprise", "bitbucketCloud", "bitbucketServer",
                      "azureDevOpsServices", "gitLab", "gitLabEnterpriseEdition"]
#: condition_task, 'op'.
ConditionOp = Literal["EQUAL_TO", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL",
                      "LESS_THAN", "LESS_THAN_OR_EQUAL"]
#: The condition ops a threshold comparison uses (the drift check of the retraining job).
Comparison = Literal["GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL"]
#: task, 'run_if'.
RunIf = Literal["ALL_SUCCESS", "AT_LEAST_ONE_SUCCESS", "NONE_FAILED", "ALL_DONE",
                "AT_LEAST_ONE_FAILED", "ALL_FAILED"]
#: trigger table_update, 'condition'.
TableUpdateCondition = Literal["ANY_UPDATED", "ALL_UPDATED"]
#: trigger periodic, 'unit'.
PeriodicUnit = Literal["HOURS", "DAYS", "WEEKS"]
#: continuous, 'task_retry_mode'.
TaskRetryMode = Literal["NEVER", "ON_FAILURE"]
#: job, 'edit_mode'.
EditMode = Literal["EDITABLE", "UI_LOCKED"]
#: task source of notebook_task / spark_python_task.
TaskSource = Literal["GIT", "WORKSPACE"]

#: A job's tags (job.md, 'tags': "up to 25 tags").
MAX_JOB_TAGS = 25
#: Notification destinations per event (webhook_notifications: "at most 3").
MAX_NOTIFICATION_DESTINATIONS = 3
#: Minimum of min_time_between_triggers_seconds / wait_after_last_change_seconds.
MIN_TRIGGER_SECONDS = 60

# --------------------------------------------------------------------------- compute (cluster.md)

Cloud = Literal["aws", "azure", "gcp"]
#: cluster, 'data_security_mode' (the values a job cluster may use).
DataSecurityMode = Literal["SINGLE_USER", "USER_ISOLATION", "DATA_SECURITY_MODE_AUTO",
                           "DATA_SECURITY_MODE_DEDICATED", "DATA_SECURITY_MODE_STANDARD"]

# --------------------------------------------------------------------------- serving (model_serving.md)

WorkloadSize = Literal["Small", "Medium", "Large"]
WorkloadType = Literal["CPU", "GPU_SMALL", "GPU_MEDIUM", "GPU_LARGE", "MULTIGPU_MEDIUM"]
#: ai_gateway rate_limits, 'key'.
RateLimitKey = Literal["endpoint", "user", "user_group", "service_principal"]
MAX_SERVED_ENTITIES = 10

# --------------------------------------------------------------------------- monitoring (quality_monitor.md)

#: Aggregation windows Lakehouse Monitoring accepts, shortest first.
Granularity = Literal["5 minutes", "30 minutes", "1 hour", "1 day", "1 week", "2 weeks", "3 weeks",
                      "4 weeks", "1 month", "1 year"]
ProblemType = Literal["classification", "regression"]
CustomMetricType = Literal["aggregate", "derived", "drift"]
#: Spark SQL types a custom metric may output (rendered as a StructField JSON).
MetricOutputType = Literal["double", "float", "long", "integer", "int", "string", "boolean"]
#: The provider's spelling of a problem type / custom metric type.
PROBLEM_TYPE_VALUES: dict[str, str] = {"classification": "PROBLEM_TYPE_CLASSIFICATION",
                                       "regression": "PROBLEM_TYPE_REGRESSION"}
CUSTOM_METRIC_TYPE_VALUES: dict[str, str] = {"aggregate": "CUSTOM_METRIC_TYPE_AGGREGATE",
                                             "derived": "CUSTOM_METRIC_TYPE_DERIVED",
                                             "drift": "CUSTOM_METRIC_TYPE_DRIFT"}

# --------------------------------------------------------------------------- Unity Catalog (volume.md)

VolumeType = Literal["MANAGED", "EXTERNAL"]


def values(literal: object) -> tuple[str, ...]:
    """The values of a ``Literal`` type, in their written order."""
    return get_args(literal)


HEALTH_METRICS = frozenset(values(HealthMetric))
GIT_PROVIDERS = frozenset(values(GitProvider))
CONDITION_OPS = frozenset(values(ConditionOp))
COMPARISONS = frozenset(values(Comparison))
RUN_IF = frozenset(values(RunIf))
WORKLOAD_SIZES = frozenset(values(WorkloadSize))
WORKLOAD_TYPES = frozenset(values(WorkloadType))
RATE_LIMIT_KEYS = frozenset(values(RateLimitKey))
GRANULARITIES: tuple[str, ...] = values(Granularity)
METRIC_OUTPUT_TYPES: tuple[str, ...] = values(MetricOutputType)

assert set(PROBLEM_TYPE_VALUES) == set(values(ProblemType))
assert set(CUSTOM_METRIC_TYPE_VALUES) == set(values(CustomMetricType))

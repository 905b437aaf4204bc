"""Project ``jobs:`` configuration: the ML workflow jobs of one project.

Shared settings (code source, compute profiles, notifications, permissions, run_as, retries,
tags) are written once under ``jobs:``; each job type (``feature_engineering``, ``training``,
``batch_inference``, ``retraining``) only adds what is specific to it and may override any
shared key (a job's key replaces the shared one). Per-environment differences go in the
project's ``environments:`` map as usual. See docs/jobs.md.

The same concept as ``stacks.jobs`` (which composes the job constructs from these models) and
``mlops_constructs.job`` (the MlJob construct), seen from the config layer. Provider rules come
from ``databricks_spec.rules.jobs``; the rules that need the environment (roles, cloud, cluster
policies) run in ``platform_config.environment_rules``.

Modules: ``fields`` (parameter and table field types), ``code`` (task code, git source),
``clusters`` (compute profiles), ``timing`` (schedule, trigger, continuous), ``notifications``,
``job_types`` (shared settings and the job types), ``settings`` (``JobsConfig`` and resolution
of one job's settings).
"""

from databricks_spec.permissions import JOB_LEVELS
from platform_config.jobs.clusters import (DEFAULT_COMPUTE, AutoscaleConfig, ClusterConfig, ComputeProfileConfig,
                                           ServerlessConfig)
from platform_config.jobs.code import GitSourceConfig, TaskCodeConfig, WheelConfig
from platform_config.jobs.fields import Parameters, ParamValue, TableName
from platform_config.jobs.job_types import (BatchInferenceJobConfig, DriftConfig, FeatureEngineeringJobConfig,
                                            FeatureTableConfig, JobBaseConfig, JobSettingsConfig, RetrainingJobConfig,
                                            TrainingJobConfig, TrainingTasksConfig, ValidationConfig)
from platform_config.jobs.notifications import EventTargetsConfig, NotificationsConfig
from platform_config.jobs.settings import (JOB_KINDS, RESERVED_PARAMETERS, JobsConfig, ResolvedSettings,
                                           task_codes)
from platform_config.jobs.timing import (ContinuousConfig, FileArrivalTriggerConfig, PeriodicTriggerConfig, ScheduleConfig,
                                         TableUpdateTriggerConfig, TriggerConfig)

#: Job permission levels, lowest first: the spec's one order (databricks_spec.permissions).
JOB_LEVEL_RANK = JOB_LEVELS

__all__ = [
    "AutoscaleConfig", "BatchInferenceJobConfig", "ClusterConfig", "ComputeProfileConfig", "ContinuousConfig",
    "DEFAULT_COMPUTE", "DriftConfig", "EventTargetsConfig", "FeatureEngineeringJobConfig",
    "FeatureTableConfig", "FileArrivalTriggerConfig", "GitSourceConfig", "JOB_KINDS", "JOB_LEVEL_RANK",
    "JobBaseConfig", "JobSettingsConfig", "JobsConfig", "NotificationsConfig", "ParamValue", "Parameters",
    "PeriodicTriggerConfig", "RESERVED_PARAMETERS", "ResolvedSettings", "RetrainingJobConfig",
    "ScheduleConfig", "ServerlessConfig", "TableName", "TableUpdateTriggerConfig", "TaskCodeConfig",
    "TrainingJobConfig", "TrainingTasksConfig", "TriggerConfig", "ValidationConfig", "WheelConfig",
    "task_codes",
]

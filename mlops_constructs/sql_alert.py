"""SqlAlert: one Databricks SQL alert with its query, schedule, targets and permissions.

Emits (provider docs 1.99.0):

* databricks_query ("Query"): the SQL, on the given warehouse;
* databricks_alert ("Resource"): ``condition`` = column <op> threshold (GA; the deprecated
  databricks_sql_alert and the Public Preview databricks_alert_v2 are not used);
* databricks_job ("Schedule"): a job whose one ``sql_task.alert`` task evaluates the alert on
  a Quartz schedule and notifies the subscriptions (users by e-mail, notification
  destinations by id). The schedule's ``pause_status`` is the pause state given (an
  environment that pauses schedules deploys the alert paused);
* databricks_permissions on the alert ("Permissions") and on its query ("QueryPermissions"),
  with the same levels (CAN_VIEW, CAN_RUN, CAN_MANAGE).

Config strings in the query text are already Terraform literals (platform_config.literals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from databricks_spec.observability import ALERT_OPS, EMPTY_RESULT_STATES
from databricks_spec.privileges import WORKSPACE_OBJECTS
from databricks_spec.quartz import QuartzError, validate_quartz
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_engine.databricks import (Alert, AlertCondition, AlertConditionOperand, AlertConditionOperandColumn,
                                     AlertConditionThreshold, AlertConditionThresholdValue, Job, JobSchedule,
                                     JobRunAs, JobTask, JobTaskSqlTask, JobTaskSqlTaskAlert,
                                     JobTaskSqlTaskAlertSubscriptions, Query)
from mlops_constructs.unit import FlatUnit, Scope

ALERT_LEVELS = frozenset(WORKSPACE_OBJECTS["sql_alert"][1])
TASK_KEY = "evaluate_alert"


@dataclass(frozen=True)
class SubscriptionSpec:
    """An alert target: ``user_name`` (e-mail) or ``destination_id`` (a token or UUID)."""

    kind: str
    value: str
    label: str = ""
    """Stable sort key when ``value`` is a token (the destination's config key). Default: value."""


@dataclass(frozen=True, kw_only=True)
class SqlAlertProps:
    display_name: str
    """Name of the query, alert and (with ' job') of its schedule job. Required."""
    warehouse_id: str
    """Required."""
    query_text: str
    """SQL returning ``column``. Required."""
    column: str
    """Result column compared with the threshold. Required."""
    op: str
    """GREATER_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, EQUAL or NOT_EQUAL. Required."""
    threshold: float
    """Required."""
    cron: str
    """Quartz cron of the evaluation job. Required."""
    timezone: str = "UTC"
    """Default: UTC."""
    paused: bool = False
    """The schedule's pause status. Default: unpaused."""
    job_name: str
    """Required."""
    parent_path: str | None = None
    """Workspace folder of the query and alert. Default: the deployer's home folder."""
    empty_result_state: str = "UNKNOWN"
    """Alert state when the query returns no rows. Default: UNKNOWN."""
    rearm_seconds: int | None = None
    """Default: unset (fires once until the alert returns to OK)."""
    subscriptions: tuple[SubscriptionSpec, ...] = ()
    """Who is notified when the alert fires. Default: none (the alert only changes state)."""
    job_tags: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    description: str | None = None
    """Query description. Default: none."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_VIEW/CAN_RUN/CAN_MANAGE on the alert and its query. Default: none."""
    run_as: Principal | None = None
    """Who the schedule job runs as (a service principal). Default: unset (the job's owner)."""


class SqlAlert(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: SqlAlertProps):
        super().__init__(scope, id)
        if props.op not in ALERT_OPS:
            raise ConstructError(self, f"unknown op {props.op!r}; use one of {', '.join(ALERT_OPS)} "
                                       "(provider docs: alert, condition)", key="op")
        if props.empty_result_state not in EMPTY_RESULT_STATES:
            raise ConstructError(self, f"unknown empty_result_state {props.empty_result_state!r}",
                                 key="empty_result_state")
        if not math.isfinite(props.threshold):
            raise ConstructError(self, "threshold must be a finite number", key="threshold")
        try:
            validate_quartz(props.cron)
        except QuartzError as exc:
            raise ConstructError(self, f"cron: {exc}", key="cron")
        if not props.query_text.strip() or not props.column:
            raise ConstructError(self, "an alert needs its query and result column", key="query_text")
        self.query = Query(*self.at("Query"), display_name=props.display_name, warehouse_id=props.warehouse_id,
                           query_text=props.query_text, parent_path=props.parent_path,
                           description=props.description)
        query_id = self.query.id  # each attribute read is a jsii round trip: once, reused below
        self.resource = Alert(*self.at("Resource"), query_id=query_id, display_name=props.display_name,
            parent_path=props.parent_path, notify_on_ok=True, seconds_to_retrigger=props.rearm_seconds,
            condition=AlertCondition(
                op=props.op, empty_result_state=props.empty_result_state,
                operand=AlertConditionOperand(column=AlertConditionOperandColumn(name=props.column)),
                threshold=AlertConditionThreshold(value=AlertConditionThresholdValue(double_value=props.threshold))))
        alert_id = self.resource.id
        subs = sorted(set(props.subscriptions), key=lambda s: (s.kind, s.label or s.value))
        self.job = Job(*self.at("Schedule"), name=props.job_name, tags=dict(sorted(props.job_tags.items())) or None,
            max_concurrent_runs=1,
            run_as=JobRunAs(**{props.run_as.kind: props.run_as.name}) if props.run_as else None,
            schedule=JobSchedule(quartz_cron_expression=props.cron, timezone_id=props.timezone,
                                 pause_status="PAUSED" if props.paused else "UNPAUSED"),
            task=[JobTask(task_key=TASK_KEY, sql_task=JobTaskSqlTask(
                warehouse_id=props.warehouse_id,
                alert=JobTaskSqlTaskAlert(alert_id=alert_id, subscriptions=[
                    JobTaskSqlTaskAlertSubscriptions(**{s.kind: s.value}) for s in subs] or None)))])
        if props.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="sql_alert_id", object_id=alert_id, access=dict(props.permissions),
                valid_levels=ALERT_LEVELS))
            ObjectPermissions(self, "QueryPermissions", ObjectPermissionsProps(
                object_attribute="sql_query_id", object_id=query_id, access=dict(props.permissions),
                valid_levels=ALERT_LEVELS))

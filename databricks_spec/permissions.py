"""Workspace permission levels per object type (databricks_permissions, databricks_secret_acl).

The same concept as ``databricks_spec.rules.permissions`` (the rules checking them) and
``mlops_constructs.permissions`` (the construct emitting databricks_permissions), seen as facts.

Each object type's levels are written once, as a ``Literal`` in rank order (lowest first);
the runtime tuples and the ``WORKSPACE_OBJECTS`` table are derived from them, so the config
layer's types, the stacks' "highest level wins" merge and the constructs' checks cannot
disagree. Source: provider docs 1.99.0, permissions.md ("Job usage", "Model serving usage",
"MLflow Experiment usage", "Cluster Policy usage", "SQL warehouse usage", "Dashboard usage",
"SQL Query usage", "SQL Alert usage"); secret_acl.md.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from databricks_spec.docs import provider_doc

#: Job levels, lowest first. permissions.md lists them as CAN_VIEW, CAN_MANAGE_RUN, IS_OWNER,
#: CAN_MANAGE, but that is not a rank: the owner has every right CAN_MANAGE has and is the one
#: principal jobs run as ("Jobs triggered through Run Now assume the permissions of the job
#: owner"), so IS_OWNER ranks highest.
JobLevel = Literal["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"]
ServingLevel = Literal["CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"]
ExperimentLevel = Literal["CAN_READ", "CAN_EDIT", "CAN_MANAGE"]
ClusterPolicyLevel = Literal["CAN_USE"]
SqlWarehouseLevel = Literal["CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER"]
DashboardLevel = Literal["CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"]
SqlQueryLevel = Literal["CAN_VIEW", "CAN_RUN", "CAN_MANAGE"]
SqlAlertLevel = Literal["CAN_VIEW", "CAN_RUN", "CAN_MANAGE"]
#: databricks_secret_acl permissions, lowest first (provider docs: secret_acl).
SecretPermission = Literal["READ", "WRITE", "MANAGE"]

JOB_LEVELS: tuple[str, ...] = get_args(JobLevel)
SERVING_LEVELS: tuple[str, ...] = get_args(ServingLevel)
EXPERIMENT_LEVELS: tuple[str, ...] = get_args(ExperimentLevel)
CLUSTER_POLICY_LEVELS: tuple[str, ...] = get_args(ClusterPolicyLevel)
SQL_WAREHOUSE_LEVELS: tuple[str, ...] = get_args(SqlWarehouseLevel)
DASHBOARD_LEVELS: tuple[str, ...] = get_args(DashboardLevel)
SQL_QUERY_LEVELS: tuple[str, ...] = get_args(SqlQueryLevel)
SQL_ALERT_LEVELS: tuple[str, ...] = get_args(SqlAlertLevel)
SECRET_PERMISSIONS: tuple[str, ...] = get_args(SecretPermission)


class WorkspaceObject(NamedTuple):
    """How databricks_permissions addresses one object type, and its levels (lowest first)."""

    attribute: str
    """The databricks_permissions argument naming the object, e.g. job_id."""
    levels: tuple[str, ...]
    doc: str
    """Where the provider documents the levels."""


#: Workspace object type -> (databricks_permissions argument, levels lowest first, doc reference).
WORKSPACE_OBJECTS: dict[str, WorkspaceObject] = {
    "cluster_policy": WorkspaceObject("cluster_policy_id", CLUSTER_POLICY_LEVELS,
                                      "permissions, 'Cluster Policy usage'"),
    "sql_warehouse": WorkspaceObject("sql_endpoint_id", SQL_WAREHOUSE_LEVELS, "permissions, 'SQL warehouse usage'"),
    "job": WorkspaceObject("job_id", JOB_LEVELS, "permissions, 'Job usage'"),
    "serving_endpoint": WorkspaceObject("serving_endpoint_id", SERVING_LEVELS,
                                        "permissions, 'Model serving usage'"),
    "experiment": WorkspaceObject("experiment_id", EXPERIMENT_LEVELS, "permissions, 'MLflow Experiment usage'"),
    "dashboard": WorkspaceObject("dashboard_id", DASHBOARD_LEVELS, "permissions, 'Dashboard usage'"),
    "sql_query": WorkspaceObject("sql_query_id", SQL_QUERY_LEVELS, "permissions, 'SQL Query usage'"),
    "sql_alert": WorkspaceObject("sql_alert_id", SQL_ALERT_LEVELS, "permissions, 'SQL Alert usage'"),
}

#: The doc reference of job ownership rules.
JOB_USAGE_DOC = provider_doc("permissions", "Job usage")

"""The Databricks provider bindings of the selected engine, in one place.

Every construct imports binding classes from here (``from mlops_engine.databricks import Job``),
never from ``cdktf_cdktf_provider_databricks`` or ``cdktn_provider_databricks`` directly, so the
engine switch (``mlops_engine.ENGINE``) changes this table's package and nothing else.

``BINDINGS`` lists, per binding submodule, the classes the product uses: a new construct adds
its classes here.
"""

from __future__ import annotations

from importlib import import_module

from mlops_engine import ENGINE

BINDINGS: dict[str, tuple[str, ...]] = {
    "alert": ('Alert', 'AlertCondition', 'AlertConditionOperand', 'AlertConditionOperandColumn', 'AlertConditionThreshold', 'AlertConditionThresholdValue'),
    "catalog": ('Catalog',),
    "cluster_policy": ('ClusterPolicy',),
    "dashboard": ('Dashboard',),
    "database_database_catalog": ('DatabaseDatabaseCatalog',),
    "database_instance": ('DatabaseInstance', 'DatabaseInstanceCustomTags'),
    "database_synced_database_table": ('DatabaseSyncedDatabaseTable', 'DatabaseSyncedDatabaseTableSpec', 'DatabaseSyncedDatabaseTableSpecNewPipelineSpec'),
    "data_databricks_catalog": ('DataDatabricksCatalog',),
    "data_databricks_cluster_policy": ('DataDatabricksClusterPolicy',),
    "data_databricks_group": ('DataDatabricksGroup',),
    "data_databricks_notification_destinations": ('DataDatabricksNotificationDestinations',),
    "data_databricks_service_principal": ('DataDatabricksServicePrincipal',),
    "data_databricks_sql_warehouse": ('DataDatabricksSqlWarehouse',),
    "entitlements": ('Entitlements',),
    "file": ('File',),
    "git_credential": ('GitCredential',),
    "grant": ('Grant',),
    "grants": ('Grants', 'GrantsGrant'),
    "group_member": ('GroupMember',),
    "job": ('Job', 'JobContinuous', 'JobEmailNotifications', 'JobEnvironment', 'JobEnvironmentSpec', 'JobGitSource', 'JobHealth', 'JobHealthRules', 'JobJobCluster', 'JobJobClusterNewCluster', 'JobJobClusterNewClusterAutoscale', 'JobNotificationSettings', 'JobQueue', 'JobRunAs', 'JobSchedule', 'JobTask', 'JobTaskConditionTask', 'JobTaskDependsOn', 'JobTaskLibrary', 'JobTaskNotebookTask', 'JobTaskPipelineTask', 'JobTaskPythonWheelTask', 'JobTaskRunJobTask', 'JobTaskSparkPythonTask', 'JobTaskSqlTask', 'JobTaskSqlTaskAlert', 'JobTaskSqlTaskAlertSubscriptions', 'JobTrigger', 'JobTriggerFileArrival', 'JobTriggerPeriodic', 'JobTriggerTableUpdate', 'JobWebhookNotifications', 'JobWebhookNotificationsOnDurationWarningThresholdExceeded', 'JobWebhookNotificationsOnFailure', 'JobWebhookNotificationsOnStart', 'JobWebhookNotificationsOnSuccess'),
    "mlflow_experiment": ('MlflowExperiment',),
    "model_serving": ('ModelServing', 'ModelServingAiGateway', 'ModelServingAiGatewayInferenceTableConfig', 'ModelServingAiGatewayRateLimits', 'ModelServingAiGatewayUsageTrackingConfig', 'ModelServingConfigA', 'ModelServingConfigServedEntities', 'ModelServingConfigTrafficConfig', 'ModelServingConfigTrafficConfigRoutes', 'ModelServingEmailNotifications', 'ModelServingTags'),
    "mws_permission_assignment": ('MwsPermissionAssignment',),
    "notebook": ('Notebook',),
    "notification_destination": ('NotificationDestination', 'NotificationDestinationConfigA', 'NotificationDestinationConfigEmail', 'NotificationDestinationConfigGenericWebhook', 'NotificationDestinationConfigMicrosoftTeams', 'NotificationDestinationConfigPagerduty', 'NotificationDestinationConfigSlack'),
    "permissions": ('Permissions', 'PermissionsAccessControl'),
    "pipeline": ('Pipeline', 'PipelineCluster', 'PipelineClusterAutoscale', 'PipelineEnvironment', 'PipelineEventLog', 'PipelineLibrary', 'PipelineLibraryFile', 'PipelineLibraryGlob', 'PipelineLibraryNotebook', 'PipelineNotification', 'PipelineRunAs'),
    "provider": ('DatabricksProvider',),
    "quality_monitor": ('QualityMonitor', 'QualityMonitorCustomMetrics', 'QualityMonitorDataClassificationConfig', 'QualityMonitorInferenceLog', 'QualityMonitorNotifications', 'QualityMonitorNotificationsOnFailure', 'QualityMonitorNotificationsOnNewClassificationTagDetected', 'QualityMonitorSchedule', 'QualityMonitorSnapshot', 'QualityMonitorTimeSeries'),
    "query": ('Query',),
    "registered_model": ('RegisteredModel',),
    "repo": ('Repo',),
    "schema": ('Schema',),
    "secret_acl": ('SecretAcl',),
    "secret_scope": ('SecretScope',),
    "service_principal": ('ServicePrincipal',),
    "sql_endpoint": ('SqlEndpoint', 'SqlEndpointChannel', 'SqlEndpointTags', 'SqlEndpointTagsCustomTags'),
    "volume": ('Volume',),
    "workspace_file": ('WorkspaceFile',),
}

for _submodule, _names in BINDINGS.items():
    _module = import_module(f"{ENGINE.provider_package}.{_submodule}")
    for _name in _names:
        globals()[_name] = getattr(_module, _name)

__all__ = sorted(name for names in BINDINGS.values() for name in names)

"""Every Databricks name the platform derives for an environment and a project.

Every naming formula lives here and nowhere else (the config layer keeps only the three its own
validation needs, ``EnvironmentConfig.object_name``, ``project_schema_name`` and
``platform_config.pipelines.pipeline_name`` (duplicate pipelines), called from here); resolution.checks checks what these functions return against the rules of
databricks_spec.names before anything is built.

The rule that puts the environment into workspace object names (jobs, endpoints,
folders, cluster policies, created service principals) is
``EnvironmentConfig.object_name`` (prefix, suffix or none); Unity Catalog names
(schemas, models, tables) carry the environment through the catalog instead. A developer's
dev target (resolution.dev_user) adds the user's prefix to the names a project owns;
the environment's shared objects are named by :func:`environment_object_name`.

Pure functions of config values: no jsii, no constructs. Table references as config
writes them are resolved by ONE function, :func:`table`.

The same concept as ``databricks_spec.names`` (the length and character rules these names
obey), seen from the resolution layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_config import EnvironmentConfig, ProjectConfig
from platform_config.base import snake
from platform_config.governance import SecretScopeConfig, project_schema_name
from platform_config.pipelines import pipeline_name as _pipeline_name

#: The project schema holding the registered model (and, by default, inference and
#: metric tables) when ``model.schema`` is unset.
DEFAULT_MODEL_SCHEMA_KEY = "models"


@dataclass(frozen=True)
class SchemaRef:
    """A schema a unit refers to, resolved to its name."""

    name: str
    """The schema's name in the environment's catalog."""
    key: str | None
    """The key in the project's ``schemas`` when the platform creates this schema (the stack
    then refers to the created resource, so Terraform creates the schema first); None for a
    schema that exists outside the project."""


# ------------------------------------------------------------------ Unity Catalog


def schema_name(project: ProjectConfig, key: str) -> str:
    """A project schema's name: its ``name`` or '<project>_<key>' in snake_case."""
    return project_schema_name(project, key)


def schema_ref(project: ProjectConfig, key_or_name: str) -> SchemaRef:
    """A key of the project's ``schemas`` -> that schema; anything else is a schema's name."""
    if key_or_name in project.schemas:
        return SchemaRef(schema_name(project, key_or_name), key_or_name)
    return SchemaRef(key_or_name, None)


def default_schema_key(project: ProjectConfig) -> str:
    """The schema key (or name) holding the model: ``model.schema``, default 'models'.
    Inference tables, metric tables and one-part table names default to it."""
    return project.model.schema_name or DEFAULT_MODEL_SCHEMA_KEY


def model_schema(project: ProjectConfig) -> SchemaRef:
    """The schema of the project's registered model."""
    return schema_ref(project, default_schema_key(project))


def model_name(project: ProjectConfig) -> str:
    """The registered model's name: ``model.name``, default '<project>_model' (snake_case)."""
    return project.model.name or f"{snake(project.name)}_model"


def model_full_name(env: EnvironmentConfig, project: ProjectConfig) -> str:
    """<catalog>.<model schema>.<model>."""
    return f"{env.catalog.name}.{model_schema(project).name}.{model_name(project)}"


def table(env: EnvironmentConfig, project: ProjectConfig, ref: str) -> str:
    """A table name as config writes it -> catalog.schema.table:

    * 'catalog.schema.table' as is;
    * 'schema.table' in the environment's catalog, where a key of the project's
      ``schemas`` ('features') stands for that schema's name ('churn_features');
    * 'table' in the schema holding the project's model."""
    parts = ref.split(".")
    if len(parts) == 3:
        return ref
    if len(parts) == 2:
        return f"{env.catalog.name}.{schema_ref(project, parts[0]).name}.{parts[1]}"
    return f"{env.catalog.name}.{model_schema(project).name}.{ref}"


def volume_name(key: str, configured: str | None) -> str:
    """A volume's name: its ``name``, default the key with '-' as '_'."""
    return configured or key.replace("-", "_")


def volume_path(env: EnvironmentConfig, project: ProjectConfig, key: str) -> str:
    """/Volumes/<catalog>/<schema>/<volume> of the project volume ``key`` (where files land)."""
    volume = project.volumes[key]
    return f"/Volumes/{env.catalog.name}/{schema_name(project, volume.schema_key)}/{volume_name(key, volume.name)}"


# ------------------------------------------------------------------ workspace objects


def environment_object_name(env: EnvironmentConfig, base: str) -> str:
    """The environment's naming rule without any dev user's prefix: the name of an object
    every developer of the environment shares (cluster policies, service principals, SQL
    warehouses, notification destinations, online stores). A project's own workspace objects
    go through ``env.object_name``, which a dev target (resolution.dev_user) prefixes."""
    return EnvironmentConfig.object_name(env, base)


def experiment_path(env: EnvironmentConfig, project: ProjectConfig) -> str:
    """``experiment.path``, default /Shared/mlops/<named project>/<project>-experiment
    (<named project>: the naming rule applied to the project's name)."""
    return project.experiment.path or f"/Shared/mlops/{env.object_name(project.name)}/{project.name}-experiment"


def job_name(env: EnvironmentConfig, project: ProjectConfig, kind: str, configured: str | None) -> str:
    """The naming rule applied to the job's ``name``, default '<project>-<kind>-job'."""
    return env.object_name(configured or f"{project.name}-{kind.replace('_', '-')}-job")


def pipeline_name(env: EnvironmentConfig, project: ProjectConfig, key: str) -> str:
    """The naming rule applied to the pipeline's ``name``, default '<project>-<key>-pipeline'
    (the config layer applies the same rule to refuse duplicates: platform_config.pipelines)."""
    return _pipeline_name(env, project, key)


def pipeline_job_name(env: EnvironmentConfig, project: ProjectConfig, key: str, configured: str | None) -> str:
    """The standalone job running pipeline ``key``: the naming rule applied to its ``name``,
    default '<project>-<key>-pipeline-job'."""
    return env.object_name(configured or f"{project.name}-{key}-pipeline-job")


def git_folder_path(env: EnvironmentConfig, project: ProjectConfig) -> str:
    """Where the project's Git folder (pipeline code from ``jobs.git_source``) is checked
    out: /Repos/mlops/<named project>."""
    return f"/Repos/mlops/{env.object_name(project.name)}"


def endpoint_name(env: EnvironmentConfig, project: ProjectConfig, key: str, configured: str | None) -> str:
    """The naming rule applied to ``name``, the key (when it is the project's name) or
    '<project>-<key>'."""
    return env.object_name(configured or (key if key == project.name else f"{project.name}-{key}"))


def inference_table_prefix(key: str, configured: str | None) -> str:
    """``inference_table.table_prefix``, default the endpoint key in snake_case."""
    return configured or snake(key)


def monitor_assets_dir(env: EnvironmentConfig, project: ProjectConfig, key: str, configured: str | None) -> str:
    """``assets_dir``, default /Shared/mlops/<named project>/monitors/<key>."""
    return configured or f"/Shared/mlops/{env.object_name(project.name)}/monitors/{key}"


def drift_metrics_table(output_schema_full_name: str, monitored_table: str) -> str:
    """<output schema>.<monitored table's short name>_drift_metrics: the table Lakehouse
    Monitoring writes drift metrics to, known before the monitor exists."""
    return f"{output_schema_full_name}.{monitored_table.rsplit('.', 1)[-1]}_drift_metrics"


def cluster_policy_name(env: EnvironmentConfig, key: str) -> str:
    """A cluster policy the platform creates (or looks up): the naming rule applied to its key."""
    return environment_object_name(env, key)


def service_principal_name(env: EnvironmentConfig, key: str) -> str | None:
    """A configured service principal's display name: ``display_name``, default (created
    ones) the naming rule applied to its key; None for one referenced by application id."""
    sp = env.service_principals[key]
    if sp.display_name:
        return sp.display_name
    return environment_object_name(env, key) if sp.create else None


def secret_scope_name(key: str, scope: SecretScopeConfig) -> str:
    """A secret scope's name: its ``name``, default its key."""
    return scope.name or key


# ------------------------------------------------------------------ online features


def online_store_instance_name(env: EnvironmentConfig, key: str, configured: str | None) -> str:
    """A Lakebase instance (workspace object): ``name``, default the naming rule applied to
    '<key>-online' with '_' as '-' (instance names are host labels)."""
    return configured or environment_object_name(env, f"{key.replace('_', '-')}-online")


def database_catalog_name(env: EnvironmentConfig, key: str, configured: str | None) -> str:
    """The store's database catalog in Unity Catalog: ``catalog``, default
    '<environment catalog>_<key>_online' (the environment is in the catalog's name)."""
    return configured or snake(f"{env.catalog.name}_{key}_online")


def store_database_name(key: str, configured: str | None) -> str:
    """The Postgres database inside the instance: ``database``, default the key in snake_case."""
    return configured or snake(key)


def synced_table_name(database_catalog: str, source_table: str) -> str:
    """A synced table: '<database catalog>.<source schema>.<source table>' (the source's
    schema carries the project, so two projects never derive the same name)."""
    _, schema, short = source_table.split(".")
    return f"{database_catalog}.{schema}.{short}"

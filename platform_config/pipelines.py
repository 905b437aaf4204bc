"""Project ``pipelines:`` configuration: Lakeflow Declarative Pipelines (DLT) of one project.

Same concept as resolution/pipelines.py (resolved values) and stacks/pipelines.py
(composition), seen from the config layer.

Each entry becomes one ``databricks_pipeline`` named by the environment naming
rule ('<project>-<key>-pipeline' -> dev-churn-ingest-pipeline). Auto Loader
ingestion (``ingest``) and data quality rules (``expectations``) are passed
to the pipeline code as configuration keys (docs/pipelines.md, "Configuration
contract"). Per-environment differences go in the project's ``environments:``
map as usual; whether pipelines run in development mode comes from the
environment's ``pipelines.development``.

Rules needing the environment or other project sections live in
platform_config/pipeline_rules.py (``pipelines_problems``, called from
ProjectConfig's validation, so every message names file, line and key; name
clashes across projects: ``pipeline_names``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from databricks_spec import pipelines as spec
from platform_config.base import Model, Slug, UcName
from databricks_spec.enums import Cloud
from platform_config.jobs import ParamValue, ScheduleConfig
from platform_config.jobs.clusters import check_size_and_policy
from platform_config.observability import EmailTarget
from platform_config.references import RoleName

if TYPE_CHECKING:
    from platform_config.environment import EnvironmentConfig
    from platform_config.project import ProjectConfig

PipelineLevel = Literal["CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"]
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SCHEMA = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)?$")
_EXTERNAL_URL = re.compile(r"^(s3a?|abfss?|gs|r2)://[^\s]+$")


def _checked(rule):
    """A field validator raising ``rule``'s message (a databricks_spec rule) as a value error."""
    def check(value: Any) -> Any:
        if isinstance(value, str) and (message := rule(value)) is not None:
            raise ValueError(message)
        return value
    return check


class PipelineEnvironmentSettings(Model):
    """Environment-level pipeline behaviour (``pipelines:`` in an environment file)."""

    development: bool = False
    """Whether pipelines run in development mode (clusters kept running, no retries) unless a
    pipeline overrides it. Default: false (production mode); dev sets true."""


# --------------------------------------------------------------------------- code


class PipelineLibrary(Model):
    """One pipeline source: exactly one of notebook, file, glob. Relative paths follow the
    job rule: in the project's ``jobs.git_source`` (a Git folder the platform checks out)
    or below ``jobs.workspace_root``; absolute /Workspace/... paths are used as they are."""

    notebook: str | None = None
    """Notebook path without extension. Default: unset."""
    file: str | None = None
    """A .py or .sql source file. Default: unset."""
    glob: str | None = None
    """A notebook or file path, or a folder ending in '/**'. Default: unset."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "PipelineLibrary":
        kinds = [k for k in ("notebook", "file", "glob") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"set exactly one of notebook, file or glob; got {', '.join(kinds) or 'none'}")
        message = spec.library_problem(kinds[0], getattr(self, kinds[0]))
        if message:
            raise ValueError(message)
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("notebook", "file", "glob") if getattr(self, k) is not None)

    @property
    def path(self) -> str:
        return getattr(self, self.kind)


# --------------------------------------------------------------------------- compute


class PipelineAutoscale(Model):
    min_workers: NonNegativeInt = 1
    """Default: 1."""
    max_workers: PositiveInt = 2
    """Default: 2."""
    mode: Annotated[str, BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)] = "ENHANCED"
    """ENHANCED or LEGACY autoscaling. Default: ENHANCED."""

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in spec.AUTOSCALE_MODES:
            raise ValueError(f"must be one of {', '.join(spec.AUTOSCALE_MODES)}")
        return value

    @model_validator(mode="after")
    def _order(self) -> "PipelineAutoscale":
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) is greater than max_workers ({self.max_workers})")
        return self


class PipelineClusterConfig(Model):
    """The pipeline's classic (non-serverless) cluster, label 'default'."""

    node_type: str | dict[Cloud, str] | None = None
    """Node type, or a map cloud -> node type. Default: the environment's compute.node_type."""
    driver_node_type: str | dict[Cloud, str] | None = None
    """Default: the worker node type."""
    num_workers: NonNegativeInt | None = None
    """Fixed size. Conflicts with autoscale. Default: autoscale."""
    autoscale: PipelineAutoscale | None = None
    """Default: 1-2 workers, ENHANCED, when num_workers is unset."""
    policy: Slug | None = None
    """A cluster policy of the environment (compute.cluster_policies); it must allow pipeline
    clusters (cluster_type 'dlt'). Default: the environment's compute.default_policy."""
    policy_id: str | None = None
    """Id of a policy not managed in config. Conflicts with policy."""
    custom_tags: dict[str, str] = Field(default_factory=dict)
    """Default: none."""
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Default: none."""

    @model_validator(mode="after")
    def _exclusive(self) -> "PipelineClusterConfig":
        check_size_and_policy(self)
        return self


# --------------------------------------------------------------------------- data


class IngestSource(Model):
    """Auto Loader ingestion of one target table (``cloudFiles``): where files land, how
    to read them. Passed as configuration keys mlops.ingest.<table>.* (docs/pipelines.md)."""

    volume: Slug | None = None
    """Key of a project volume (``volumes``); resolves to /Volumes/<catalog>/<schema>/<volume>.
    Set exactly one of volume or url."""
    url: str | None = None
    """External location URL (s3://, abfss://, gs://, r2://). Default: unset."""
    path: str | None = None
    """Sub-folder below the volume or URL, e.g. crm/. Default: the whole volume or URL."""
    format: Annotated[str, BeforeValidator(_checked(spec.format_problem))]
    """cloudFiles.format: avro, binaryFile, csv, json, orc, parquet, text or xml. Required."""
    options: dict[str, ParamValue] = Field(default_factory=dict)
    """Reader and cloudFiles options, e.g. header: true. Default: none."""
    schema_hints: str | None = None
    """cloudFiles.schemaHints, e.g. 'customer_id BIGINT, signup_date DATE'. Default: none (inferred)."""
    schema_evolution_mode: Annotated[str, BeforeValidator(_checked(spec.evolution_problem))] | None = None
    """cloudFiles.schemaEvolutionMode: addNewColumns, rescue, failOnNewColumns or none.
    Default: unset (Auto Loader's default, addNewColumns)."""
    comment: str | None = None
    """Table comment. Default: none."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _EXTERNAL_URL.match(value):
            raise ValueError("must be an external location URL: s3://, abfss://, gs:// or r2://")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("/") or ".." in value.split("/")):
            raise ValueError("must be a relative sub-folder, e.g. crm/ (no leading '/', no '..')")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if (message := spec.option_name_problem(name)) is not None:
                raise ValueError(message)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> "IngestSource":
        if (self.volume is None) == (self.url is None):
            raise ValueError("set exactly one of volume (a key of the project's volumes) or url "
                             "(an external location)")
        return self


def _expectation_shorthand(value: Any) -> Any:
    return {"expression": value} if isinstance(value, str) else value


class ExpectationConfig(Model):
    """One data quality rule on a target table."""

    expression: Annotated[str, BeforeValidator(_checked(spec.expression_problem))]
    """SQL boolean expression every row must satisfy, e.g. customer_id IS NOT NULL. Required."""
    action: Annotated[str, BeforeValidator(_checked(spec.action_problem))] = "warn"
    """warn (keep the row, count it), drop (drop the row) or fail (fail the update). Default: warn."""


Expectation = Annotated[ExpectationConfig, BeforeValidator(_expectation_shorthand,
                                                          json_schema_input_type=str | ExpectationConfig)]


class EventLogConfig(Model):
    """The Unity Catalog table the pipeline's event log is published to."""

    name: UcName
    """Table name. Required."""
    schema_name: str | None = Field(default=None, alias="schema")
    """A project schema key or a schema name in the environment's catalog. Default: the
    pipeline's schema."""


class PipelineNotification(Model):
    """One `notification` block: who is e-mailed on which alerts."""

    emails: Annotated[list[EmailTarget], Field(min_length=1)]
    """E-mail recipients: addresses, or keys of the environment's email notification
    destinations (expanded to their addresses; docs/observability.md). Required."""
    alerts: Annotated[list[Annotated[str, BeforeValidator(_checked(spec.alert_problem))]],
                      Field(min_length=1)] = Field(
        default_factory=lambda: ["on-update-failure", "on-update-fatal-failure", "on-flow-failure"])
    """on-update-success, on-update-failure, on-update-fatal-failure, on-flow-failure.
    Default: the three failure alerts."""


# --------------------------------------------------------------------------- orchestration


class FileArrivalSource(Model):
    """A file-arrival trigger on a project volume or an external location."""

    volume: Slug | None = None
    """Key of a project volume. Set exactly one of volume or url."""
    url: str | None = None
    """External location URL ending in '/'. Default: unset."""
    path: str | None = None
    """Sub-folder below the volume, ending in '/'. Default: the whole volume."""
    min_time_between_triggers_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""
    wait_after_last_change_seconds: Annotated[int, Field(ge=60)] | None = None
    """Default: unset (provider minimum is 60)."""
    paused: bool | None = None
    """Default: the environment's pause_schedules."""

    @model_validator(mode="after")
    def _one(self) -> "FileArrivalSource":
        if (self.volume is None) == (self.url is None):
            raise ValueError("set exactly one of volume (a key of the project's volumes) or url")
        if self.url is not None and not self.url.endswith("/"):
            raise ValueError("url must end with '/' (provider docs: job, 'trigger Configuration Block')")
        if self.path is not None and (self.path.startswith("/") or not self.path.endswith("/")):
            raise ValueError("path must be a relative sub-folder ending in '/', e.g. crm/")
        return self


class PipelineJobConfig(Model):
    """A standalone job that runs the pipeline (one pipeline_task). Notifications,
    permissions, run_as, timeout and tags come from the project's shared ``jobs:`` settings."""

    name: str | None = None
    """Job name before the naming rule. Default: '<project>-<key>-pipeline-job'."""
    schedule: ScheduleConfig | None = None
    """Quartz cron schedule; paused by the environment's pause_schedules. Default: none."""
    file_arrival: FileArrivalSource | None = None
    """Run when files land. Conflicts with schedule. Default: none (run on demand)."""
    full_refresh: bool = False
    """Recompute every table on each run. Default: false (incremental)."""

    @model_validator(mode="after")
    def _when(self) -> "PipelineJobConfig":
        if self.schedule is not None and self.file_arrival is not None:
            raise ValueError("set schedule or file_arrival, not both")
        return self


class PipelineOrchestration(Model):
    """How the pipeline is run. Default: on demand (no job runs it)."""

    feature_engineering: bool = False
    """The project's feature engineering job runs this pipeline first (a pipeline_task with
    full refresh off) and its feature tasks depend on it. Default: false."""
    job: PipelineJobConfig | None = None
    """A standalone job running the pipeline on a schedule or file arrival. Default: none."""


# --------------------------------------------------------------------------- pipeline


class PipelineConfig(Model):
    """One Lakeflow Declarative Pipeline publishing to Unity Catalog."""

    enabled: bool = True
    """Whether the pipeline is deployed (e.g. false in one environment). Default: true."""
    name: str | None = None
    """Name before the environment naming rule. Default: '<project>-<key>-pipeline'."""
    schema_name: Annotated[str, Field(pattern=_SCHEMA.pattern)] = Field(alias="schema")
    """Target schema: a key of the project's ``schemas`` (features -> churn_features in the
    environment's catalog), a schema name in the environment's catalog, or catalog.schema.
    Required."""
    libraries: Annotated[list[PipelineLibrary], Field(min_length=1)]
    """The pipeline's source code. Required (at least one)."""
    serverless: bool = True
    """Serverless compute. Default: true; false runs a classic cluster (``cluster``)."""
    cluster: PipelineClusterConfig | None = None
    """Classic cluster settings (needs serverless: false). Default: with serverless false, a
    1-2 worker cluster with the environment's node type and default policy."""
    dependencies: list[str] = Field(default_factory=list)
    """pip requirement lines for serverless pipelines (environment block). Default: none."""
    configuration: dict[str, ParamValue] = Field(default_factory=dict)
    """Extra configuration keys for the pipeline code (keys under 'mlops.' are the
    platform's). Default: none."""
    channel: Literal["CURRENT", "PREVIEW"] | None = None
    """Default: unset (CURRENT)."""
    edition: Literal["CORE", "PRO", "ADVANCED"] | None = None
    """Default: unset (ADVANCED; expectations need PRO or ADVANCED)."""
    photon: bool = False
    """Photon engine on a classic cluster. Default: false."""
    continuous: bool = False
    """Run continuously instead of triggered updates. Conflicts with orchestration. Default: false."""
    development: bool | None = None
    """Development mode. Default: the environment's pipelines.development (true in dev,
    false in staging and prod)."""
    development_reason: str | None = None
    """Why a pipeline runs in development mode where the environment says production.
    Required then."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags (over environment and project tags). Default: none."""
    notifications: list[PipelineNotification] = Field(default_factory=list)
    """E-mail notifications by alert type. Default: none."""
    event_log: EventLogConfig | None = None
    """Publish the event log to a Unity Catalog table. Default: unset (not published)."""
    budget_policy_id: str | None = None
    """Serverless budget policy (UUID). Default: unset."""
    permissions: dict[RoleName, PipelineLevel] = Field(default_factory=dict)
    """Role -> CAN_VIEW / CAN_RUN / CAN_MANAGE / IS_OWNER. At most one IS_OWNER, one user or
    service principal. Default: none (the deployer owns the pipeline)."""
    run_as: RoleName | None = None
    """Role standing for one service principal (or user) the pipeline runs as. Default:
    unset (the pipeline runs as its owner)."""
    ingest: dict[UcName, IngestSource] = Field(default_factory=dict)
    """Target table -> Auto Loader source. Default: none."""
    expectations: dict[UcName, dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,100}$")], Expectation]] = \
        Field(default_factory=dict)
    """Target table (an ``ingest`` table) -> rule name -> {expression, action} (or just the
    expression: action warn). Default: none."""
    orchestration: PipelineOrchestration = Field(default_factory=PipelineOrchestration)
    """Which job runs the pipeline. Default: none (on demand)."""

    @field_validator("budget_policy_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None and not _UUID.match(value):
            raise ValueError("must be a budget policy id (a UUID)")
        return value

    @field_validator("permissions")
    @classmethod
    def _one_owner(cls, value: dict[str, str]) -> dict[str, str]:
        owners = sorted(role for role, level in value.items() if level == "IS_OWNER")
        if len(owners) > 1:
            raise ValueError(f"a pipeline has exactly one owner, but IS_OWNER is given to {', '.join(owners)} "
                             "(provider docs: permissions, 'Pipelines usage')")
        return value

    @field_validator("configuration")
    @classmethod
    def _reserved(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if (message := spec.reserved_key_problem(key)) is not None:
                raise ValueError(message)
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > spec.MAX_TAGS:
            raise ValueError(f"at most {spec.MAX_TAGS} tags (provider docs: pipeline, 'tags')")
        return value

    @model_validator(mode="after")
    def _compute(self) -> "PipelineConfig":
        if self.serverless and self.cluster is not None:
            raise ValueError("cluster settings need serverless: false")
        if not self.serverless and self.dependencies:
            raise ValueError("dependencies are for serverless pipelines; install libraries on the cluster "
                             "with %pip in the pipeline code instead")
        return self


# --------------------------------------------------------------------------- rules


def pipeline_name(env: "EnvironmentConfig", project: "ProjectConfig", key: str) -> str:
    """The pipeline's Databricks name: the environment naming rule on '<project>-<key>-pipeline'."""
    cfg = project.pipelines[key]
    return env.object_name(cfg.name or f"{project.name}-{key}-pipeline")


def development_mode(env: "EnvironmentConfig", cfg: PipelineConfig) -> bool:
    return env.pipelines.development if cfg.development is None else cfg.development


def enabled_pipelines(project: "ProjectConfig") -> list[tuple[str, PipelineConfig]]:
    return [(k, p) for k, p in sorted(project.pipelines.items()) if p.enabled]

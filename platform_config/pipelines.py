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

The parts of a pipeline live beside it: its sources (libraries, ingestion, expectations,
event log) in platform_config/pipeline_sources.py, its classic compute in
platform_config/pipeline_compute.py, how it runs and notifies in
platform_config/pipeline_orchestration.py.

Rules needing the environment or other project sections live in
platform_config/pipeline_rules.py (``pipelines_problems``, called from
ProjectConfig's validation, so every message names file, line and key; name
clashes across projects: ``pipeline_names``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from databricks_spec import pipelines as spec
from databricks_spec.formats import UUID
from databricks_spec.names import UC_PART
from platform_config.base import Model, UcName
from platform_config.jobs import ParamValue
from platform_config.pipeline_compute import PipelineAutoscaleConfig, PipelineClusterConfig
from platform_config.pipeline_orchestration import (FileArrivalSourceConfig, PipelineJobConfig, PipelineNotificationConfig,
                                                    PipelineOrchestrationConfig)
from platform_config.pipeline_sources import EventLogConfig, Expectation, IngestSourceConfig, PipelineLibraryConfig
from platform_config.references import RoleName

if TYPE_CHECKING:
    from platform_config.environment import EnvironmentConfig
    from platform_config.project import ProjectConfig

#: The parts, importable from here as before (platform_config.pipelines is the pipeline's module).
__all__ = ["EventLogConfig", "Expectation", "FileArrivalSourceConfig", "IngestSourceConfig", "PipelineAutoscaleConfig",
           "PipelineClusterConfig", "PipelineConfig", "EnvironmentPipelinesConfig", "PipelineJobConfig",
           "PipelineLevel", "PipelineLibraryConfig", "PipelineNotificationConfig", "PipelineOrchestrationConfig",
           "development_mode", "enabled_pipelines", "pipeline_name"]

PipelineLevel = Literal["CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"]
#: A schema: 'schema' (a project schema key or a schema of the environment's catalog) or 'catalog.schema'.
_SCHEMA = rf"^{UC_PART}(\.{UC_PART})?$"


class EnvironmentPipelinesConfig(Model):
    """Environment-level pipeline behaviour (``pipelines:`` in an environment file)."""

    development: bool = False
    """Whether pipelines run in development mode (clusters kept running, no retries) unless a
    pipeline overrides it. Default: false (production mode); dev sets true."""



# --------------------------------------------------------------------------- pipeline


class PipelineConfig(Model):
    """One Lakeflow Declarative Pipeline publishing to Unity Catalog."""

    enabled: bool = True
    """Whether the pipeline is deployed (e.g. false in one environment). Default: true."""
    name: str | None = None
    """Name before the environment naming rule. Default: '<project>-<key>-pipeline'."""
    schema_name: Annotated[str, Field(pattern=_SCHEMA)] = Field(alias="schema")
    """Target schema: a key of the project's ``schemas`` (features -> churn_features in the
    environment's catalog), a schema name in the environment's catalog, or catalog.schema.
    Required."""
    libraries: Annotated[list[PipelineLibraryConfig], Field(min_length=1)]
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
    notifications: list[PipelineNotificationConfig] = Field(default_factory=list)
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
    ingest: dict[UcName, IngestSourceConfig] = Field(default_factory=dict)
    """Target table -> Auto Loader source. Default: none."""
    expectations: dict[UcName, dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,100}$")], Expectation]] = \
        Field(default_factory=dict)
    """Target table (an ``ingest`` table) -> rule name -> {expression, action} (or just the
    expression: action warn). Default: none."""
    orchestration: PipelineOrchestrationConfig = Field(default_factory=PipelineOrchestrationConfig)
    """Which job runs the pipeline. Default: none (on demand)."""

    @field_validator("budget_policy_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is not None and not UUID.match(value):
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
            for finding in spec.reserved_key_problem(key):
                raise ValueError(str(finding))
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

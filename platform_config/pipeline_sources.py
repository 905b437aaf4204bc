"""The sources of a pipeline (``pipelines.<key>``): its code (``libraries``), Auto Loader
ingestion (``ingest``), data quality rules (``expectations``) and the event log table.

Split from platform_config/pipelines.py (the pipeline model, which uses these).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from databricks_spec import pipelines as spec
from platform_config.base import Model, Slug, UcName
from platform_config.jobs import ParamValue
from platform_config.rule_adapter import checked_by

_EXTERNAL_URL = re.compile(r"^(s3a?|abfss?|gs|r2)://[^\s]+$")


class PipelineLibraryConfig(Model):
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
    def _exactly_one(self) -> "PipelineLibraryConfig":
        kinds = [k for k in ("notebook", "file", "glob") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"set exactly one of notebook, file or glob; got {', '.join(kinds) or 'none'}")
        for finding in spec.library_problem(kinds[0], getattr(self, kinds[0])):
            raise ValueError(str(finding))
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("notebook", "file", "glob") if getattr(self, k) is not None)

    @property
    def path(self) -> str:
        return getattr(self, self.kind)



class IngestSourceConfig(Model):
    """Auto Loader ingestion of one target table (``cloudFiles``): where files land, how
    to read them. Passed as configuration keys mlops.ingest.<table>.* (docs/pipelines.md)."""

    volume: Slug | None = None
    """Key of a project volume (``volumes``); resolves to /Volumes/<catalog>/<schema>/<volume>.
    Set exactly one of volume or url."""
    url: str | None = None
    """External location URL (s3://, abfss://, gs://, r2://). Default: unset."""
    path: str | None = None
    """Sub-folder below the volume or URL, e.g. crm/. Default: the whole volume or URL."""
    format: Annotated[str, checked_by(spec.format_problem)]
    """cloudFiles.format: avro, binaryFile, csv, json, orc, parquet, text or xml. Required."""
    options: dict[str, ParamValue] = Field(default_factory=dict)
    """Reader and cloudFiles options, e.g. header: true. Default: none."""
    schema_hints: str | None = None
    """cloudFiles.schemaHints, e.g. 'customer_id BIGINT, signup_date DATE'. Default: none (inferred)."""
    schema_evolution_mode: Annotated[str, checked_by(spec.evolution_problem)] | None = None
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
            for finding in spec.option_name_problem(name):
                raise ValueError(str(finding))
        return value

    @model_validator(mode="after")
    def _one_source(self) -> "IngestSourceConfig":
        if (self.volume is None) == (self.url is None):
            raise ValueError("set exactly one of volume (a key of the project's volumes) or url "
                             "(an external location)")
        return self


def _expectation_shorthand(value: Any) -> Any:
    return {"expression": value} if isinstance(value, str) else value


class ExpectationConfig(Model):
    """One data quality rule on a target table."""

    expression: Annotated[str, checked_by(spec.expression_problem)]
    """SQL boolean expression every row must satisfy, e.g. customer_id IS NOT NULL. Required."""
    action: Annotated[str, checked_by(spec.action_problem)] = "warn"
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


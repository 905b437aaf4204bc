"""FeatureEngineeringJob: refreshes feature tables, one task per table (run in parallel).

Each task gets the full name of the table it writes (output_table_name) and,
when configured, its input table, primary keys and timestamp column, and the
description and tags of a governed feature table (docs/features.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from mlops_constructs.job import Code, MlJob, MlJobProps, PipelineCode, TaskSpec, with_parameters
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class FeatureTableSpec:
    key: str
    """Task key (the table's config name)."""
    full_name: str
    """catalog.schema.table written by the task."""
    code: Code
    input_table: str | None = None
    """Full input table name. Default: unset."""
    primary_keys: tuple[str, ...] = ()
    """Default: none."""
    timestamp_column: str | None = None
    """Default: unset."""
    description: str | None = None
    """Table comment the code applies when it creates the table (``table_description``).
    Default: unset."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Table tags the code applies (``table_tags``, a JSON object with sorted keys).
    Default: none (parameter not passed)."""


@dataclass(frozen=True, kw_only=True)
class FeatureEngineeringJobProps:
    job: MlJobProps
    env_name: str
    tables: tuple[FeatureTableSpec, ...]
    """At least one."""
    compute_key: str | None = None
    """Job cluster / serverless environment key of the code task. Default: none (serverless;
    notebooks only, see TaskSpec.compute_key)."""
    extra_parameters: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    pipelines: Mapping[str, str] = field(default_factory=dict)
    """Task key -> pipeline id of pipelines run first (full refresh off); every feature task
    depends on them, so data to features happens in one run. Default: none."""


class FeatureEngineeringJob(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: FeatureEngineeringJobProps):
        super().__init__(scope, id)
        if not props.tables:
            raise ConstructError(self, f"a feature engineering job needs at least one feature table")
        names = [t.full_name for t in props.tables]
        if len(set(names)) != len(names):
            raise ConstructError(self, f"two tasks write the same feature table")
        tasks = []
        for table in sorted(props.tables, key=lambda t: t.key):
            if not is_full_name(table.full_name):
                raise ConstructError(self, f"feature table {table.full_name!r} must be catalog.schema.table")
            params = {"env": props.env_name, "output_table_name": table.full_name, **props.extra_parameters}
            if table.input_table:
                params["input_table_name"] = table.input_table
            if table.primary_keys:
                params["primary_keys"] = ",".join(table.primary_keys)
            if table.timestamp_column:
                params["timestamp_column"] = table.timestamp_column
            if table.description:
                params["table_description"] = table.description
            if table.tags:
                params["table_tags"] = json.dumps(dict(sorted(table.tags.items())), separators=(",", ":"))
            tasks.append(TaskSpec(key=table.key, action=with_parameters(table.code, params),
                                  compute_key=props.compute_key, description=f"Refresh {table.full_name}",
                                  depends_on=tuple(sorted(props.pipelines))))
        for key, pipeline_id in sorted(props.pipelines.items()):
            tasks.append(TaskSpec(key=key, action=PipelineCode(pipeline_id=pipeline_id, full_refresh=False),
                                  description="Update the ingestion pipeline before the feature tasks"))
        self.job = MlJob(self, "Resource", replace(props.job, tasks=tuple(tasks)))
        self.job_id = self.job.job_id

"""BatchInferenceJob: scores an input table with the model's ``champion`` version
and writes a predictions table in the environment's catalog."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from mlops_constructs.job import Code, MlJob, MlJobProps, TaskSpec, with_parameters
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope

TASK = "BatchInference"


@dataclass(frozen=True, kw_only=True)
class BatchInferenceJobProps:
    job: MlJobProps
    """Name, compute, schedule/trigger, notifications, identity, tags."""
    env_name: str
    model_name: str
    """Full model name catalog.schema.model."""
    input_table: str
    """Full name of the table to score."""
    output_table: str
    """Full name of the predictions table."""
    code: Code
    compute_key: str | None = None
    """Job cluster / serverless environment key of the code task. Default: none (serverless;
    notebooks only, see TaskSpec.compute_key)."""
    model_alias: str = "champion"
    """Alias of the version to score with. Default: champion."""
    extra_parameters: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


class BatchInferenceJob(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: BatchInferenceJobProps):
        super().__init__(scope, id)
        for label, name in (("model_name", props.model_name), ("input_table", props.input_table),
                            ("output_table", props.output_table)):
            if not is_full_name(name):
                raise ConstructError(self, f"{label} must be a full three-part name, got {name!r}")
        if props.input_table == props.output_table:
            raise ConstructError(self, f"input and output table are the same ({props.input_table})")
        params = {"env": props.env_name, "model_name": props.model_name, "model_alias": props.model_alias,
                  "input_table_name": props.input_table, "output_table_name": props.output_table,
                  **props.extra_parameters}
        task = TaskSpec(key=TASK, action=with_parameters(props.code, params), compute_key=props.compute_key,
                        description=f"Score {props.input_table} with {props.model_name}@{props.model_alias}")
        self.job = MlJob(self, "Resource", replace(props.job, tasks=(task,)))
        self.job_id = self.job.job_id

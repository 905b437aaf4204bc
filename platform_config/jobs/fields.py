"""Field types shared by the ``jobs:`` models: task parameters and table names."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from databricks_spec.rules import jobs as job_rules
from platform_config.base import TableReference


def _scalar_to_str(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


#: A task parameter value: YAML scalars are passed to tasks as strings (true -> "true").
ParamValue = Annotated[str, BeforeValidator(_scalar_to_str, json_schema_input_type=str | int | float | bool)]


def _check_params(value: dict[str, str]) -> dict[str, str]:
    for finding in job_rules.parameter_names(value):
        raise ValueError(str(finding))
    return value


#: Task parameters: name -> value; names as the provider allows them (job, 'parameter Configuration Block').
Parameters = Annotated[dict[str, ParamValue], AfterValidator(_check_params)]


#: A table name: 'table' (in the project's schema of the environment's catalog),
#: 'schema.table' (in the environment's catalog) or 'catalog.schema.table'.
TableName = TableReference

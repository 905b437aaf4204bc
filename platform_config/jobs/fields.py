"""Field types shared by the ``jobs:`` models: task parameters and table names."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from databricks_spec.rules import jobs as job_rules

_TABLE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*){0,2}$")


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


def _check_table(value: str) -> str:
    # TODO(untrusted, databricks_spec.names): a table-reference rule (1-3 UC name parts) belongs
    # with the name rules; this pattern and mlops_constructs.uc_names should both call it.
    if not _TABLE.match(value):
        raise ValueError(f"{value!r} is not a table name: use table, schema.table or catalog.schema.table")
    return value


#: A table name: 'table' (in the project's schema of the environment's catalog),
#: 'schema.table' (in the environment's catalog) or 'catalog.schema.table'.
TableName = Annotated[str, BeforeValidator(lambda v: _check_table(v) if isinstance(v, str) else v,
                                            json_schema_input_type=Annotated[str, StringConstraints(pattern=_TABLE.pattern)])]

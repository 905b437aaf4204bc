"""Shared building blocks for the config models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from databricks_spec.names import UC_NAME_MAX, UC_PART, UC_TABLE_REFERENCE, table_reference_problem, uc_part_problem
from platform_config.rule_adapter import checked_by


class Model(BaseModel):
    """Base for every config model: unknown keys are errors, values are immutable, and each
    field's docstring documents it (``mlops schema`` shows it: ``platform_config.field_docs``,
    read only then, not at every import as pydantic's ``use_attribute_docstrings`` would).

    ``defer_build``: a model's validator is built when it first validates, as part of the
    file's top model (its nested models inline), not once per class at import: importing the
    config layer costs about a third less CPU, and a synth pays only for the models it uses."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


#: A project or role name: lowercase, starts with a letter, then letters, digits, '-' or '_'.
SLUG_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]

#: A Unity Catalog identifier (catalog, schema, model, volume, table name part): the rule
#: databricks_spec.names.uc_part_problem (the JSON Schema carries the same pattern).
UcName = Annotated[str, checked_by(uc_part_problem),
                   Field(json_schema_extra={"pattern": rf"^{UC_PART}$", "maxLength": UC_NAME_MAX})]

#: A table name: 'table', 'schema.table' or 'catalog.schema.table' (how each resolves is the
#: field's business): the rule databricks_spec.names.table_reference_problem.
TableReference = Annotated[str, checked_by(table_reference_problem),
                          Field(json_schema_extra={"pattern": UC_TABLE_REFERENCE.pattern})]

#: A Terraform-safe Databricks tag map.
Tags = Annotated[dict[str, str], Field(default_factory=dict)]


def snake(name: str) -> str:
    """'churn-model' -> 'churn_model': Unity Catalog names avoid dashes."""
    return name.replace("-", "_")

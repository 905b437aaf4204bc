"""Shared building blocks for the config models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Model(BaseModel):
    """Base for every config model: unknown keys are errors, values are immutable, and each
    field's docstring is its description (so the JSON Schema documents every key)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              use_attribute_docstrings=True)


#: A project or role name: lowercase, starts with a letter, then letters, digits, '-' or '_'.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]

# TODO(untrusted, databricks_spec.names): the Unity Catalog identifier rule; mlops_constructs.uc_names
# checks the same parts in full names.
#: A Unity Catalog identifier (catalog, schema, model, volume, table name part).
UcName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$")]

#: A Terraform-safe Databricks tag map.
Tags = Annotated[dict[str, str], Field(default_factory=dict)]


def snake(name: str) -> str:
    """'churn-model' -> 'churn_model': Unity Catalog names avoid dashes."""
    return name.replace("-", "_")

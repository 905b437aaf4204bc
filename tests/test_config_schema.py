"""Config models publish their field docstrings: the JSON Schema documents every key."""

from __future__ import annotations

import pytest

from platform_config import EnvironmentConfig, ProjectConfig
from platform_config.field_docs import describe_properties, field_docstring


def _schema(model) -> dict:
    """The model's JSON Schema as `mlops schema` describes it: field docstrings as descriptions."""
    return describe_properties(model.model_json_schema(), model)


def _properties(schema: dict):
    for name, definition in [("<root>", schema), *schema.get("$defs", {}).items()]:
        required = set(definition.get("required", ()))
        for key, prop in definition.get("properties", {}).items():
            yield f"{name}.{key}", key in required, prop


@pytest.mark.parametrize("model", [EnvironmentConfig, ProjectConfig])
def test_every_field_has_a_description_and_a_documented_default(model):
    props = list(_properties(_schema(model)))
    assert len(props) > 100
    assert [n for n, _, p in props if not p.get("description")] == []
    undocumented = [n for n, required, p in props
                    if not required and "default" not in p and "Default" not in p["description"]]
    assert undocumented == []


def test_environment_schema_shows_descriptions_and_defaults():
    prop = _schema(EnvironmentConfig)["properties"]["pause_schedules"]
    assert prop["default"] is True and prop["description"].startswith("Whether job and monitor schedules")


def test_docstrings_are_read_for_the_schema_not_at_import():
    """Reading every model's source costs each command ~0.13 s: pydantic does not (the models
    carry no description), the schema reads them (platform_config.field_docs)."""
    assert EnvironmentConfig.model_fields["pause_schedules"].description is None
    assert "description" not in EnvironmentConfig.model_json_schema()["properties"]["pause_schedules"]
    assert field_docstring(EnvironmentConfig, "pause_schedules").startswith("Whether job and monitor schedules")

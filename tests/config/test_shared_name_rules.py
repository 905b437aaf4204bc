"""Issue 10 item 1: the config layer refuses a name with the same spec rule the constructs use
(databricks_spec.names, databricks_spec.rules.service_principals), so the message is the same
in both layers and no second pattern exists. No YAML, no jsii: the models alone."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from databricks_spec import names
from databricks_spec.rules.service_principals import service_principal
from platform_config.governance import SchemaConfig, SecretScopeConfig, ServicePrincipalConfig
from platform_config.jobs import BatchInferenceJobConfig
from platform_config.monitoring import MonitorConfig


def _error(model, data) -> tuple[tuple, str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    (error,) = info.value.errors()
    return error["loc"], error["msg"]


def test_secret_scope_name_is_the_spec_rule():
    loc, msg = _error(SecretScopeConfig, {"name": "bad name"})
    assert loc == ("name",) and msg.endswith(str(*names.secret_scope_name_problem("bad name")))
    assert SecretScopeConfig.model_validate({"name": "team.ml-1"}).name == "team.ml-1"


@pytest.mark.parametrize("value", ["a.b", "-x", "x" * 256, "a b"])
def test_uc_name_is_the_spec_rule(value):
    loc, msg = _error(SchemaConfig, {"name": value})
    assert loc == ("name",) and msg.endswith(str(*names.uc_part_problem(value)))


def test_uc_name_keeps_its_pattern_in_the_json_schema():
    prop = SchemaConfig.model_json_schema()["properties"]["name"]["anyOf"][0]
    assert prop["pattern"] == rf"^{names.UC_PART}$" and prop["maxLength"] == names.UC_NAME_MAX


@pytest.mark.parametrize("model, data, key", [
    (BatchInferenceJobConfig, {"input_table": "a.b.c.d"}, ("input_table",)),
    (MonitorConfig, {"table": "a..b", "snapshot": {}}, ("table",)),
])
def test_table_references_are_one_rule_in_jobs_and_monitors(model, data, key):
    loc, msg = _error(model, data)
    value = data[key[0]]
    assert loc == key and msg.endswith(str(*names.table_reference_problem(value)))


@pytest.mark.parametrize("data, key", [
    ({"create": False}, ()),
    ({"create": False, "application_id": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", "display_name": "x"},
     ("display_name",)),
    ({"create": True, "application_id": "not-a-uuid"}, ("application_id",)),
])
def test_service_principal_modes_are_the_spec_rule(data, key):
    loc, msg = _error(ServicePrincipalConfig, data)
    (expected,) = [f for f in service_principal(
        create=data["create"], application_id=data.get("application_id"), display_name=data.get("display_name"),
        by_display_name=False, name_derived=True) if f.key == key]
    assert loc == key and msg.endswith(str(expected))


def test_a_created_service_principal_needs_no_display_name_in_config():
    assert ServicePrincipalConfig.model_validate({"create": True}).display_name is None  # derived later

"""Provider-version rules (databricks_spec.provider_versions) agree with the schema rebuilt
from the installed bindings of the engine under test, and the engine table names the
provider those bindings wrap. Runs on both engines (CI runs the suite twice)."""

from __future__ import annotations

import pytest

from databricks_spec.privileges import SECURABLE_TYPES
from databricks_spec.provider_versions import (
    RELEASES,
    UnknownProviderVersion,
    grant_securables,
    introduced_in,
    release,
    supports_argument,
)
from mlops_engine import ENGINE
from mlops_tools.offline.provider_schema import JsonDict, load_schema, provider_schemas


@pytest.fixture(scope="module")
def resources() -> JsonDict:
    return provider_schemas(load_schema())["resource_schemas"]


def _arguments(resources: JsonDict, resource_type: str) -> set[str]:
    block = resources[resource_type]["block"]
    return set(block["attributes"]) | set(block["block_types"])


def test_engine_table_names_the_provider_its_bindings_wrap() -> None:
    assert load_schema()["provider_version"] == ENGINE.provider_version
    assert ENGINE.versions()["databricks provider"] == ENGINE.provider_version
    assert "not installed" not in ENGINE.versions().values()


def test_grant_securables_match_the_installed_provider(resources: JsonDict) -> None:
    for grants in ("databricks_grants", "databricks_grant"):
        attributes = set(resources[grants]["block"]["attributes"]) - {"id", "principal", "privileges"}
        assert attributes == grant_securables(ENGINE.provider_version), grants


def test_tracked_arguments_exist_exactly_from_their_release_on(resources: JsonDict) -> None:
    checked = 0
    for entry in RELEASES:
        for resource_type, arguments in entry.new_arguments.items():
            present = _arguments(resources, resource_type)
            for argument in arguments:
                expected = supports_argument(ENGINE.provider_version, resource_type, argument)
                assert (argument in present) == expected, (resource_type, argument, ENGINE.provider_version)
                checked += 1
    assert checked > 30


def test_every_securable_the_platform_grants_on_exists_in_every_release() -> None:
    for entry in RELEASES:
        assert set(SECURABLE_TYPES) <= entry.grant_securables, entry.version


def test_lookups() -> None:
    assert introduced_in("databricks_job", "environment_variables") == "1.138.0"
    assert introduced_in("databricks_job", "name") is None
    assert supports_argument("1.138.0", "databricks_job", "environment_variables")
    assert not supports_argument("1.99.0", "databricks_job", "environment_variables")
    assert "secret" in grant_securables("1.138.0") and "secret" not in grant_securables("1.99.0")
    with pytest.raises(UnknownProviderVersion, match="no provider rules for databricks provider '2.0.0'"):
        release("2.0.0")

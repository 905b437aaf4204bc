"""One spelling for objects the platform does not own: from_name / from_display_name /
from_application_id factories emit data sources only, under the same child ids as the
props spellings they replace (so addresses do not change)."""

from __future__ import annotations

import pytest

from mlops_constructs.catalog import UcCatalog
from mlops_constructs.cluster_policy import ClusterPolicy
from mlops_constructs.principal import Principal
from mlops_constructs.service_principal import ServicePrincipalUnit
from mlops_engine.logical_ids import logical_id

APP_ID = "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"
READERS = Principal("analysts")


@pytest.fixture(scope="module")
def built(synth_construct):
    units = {}

    def build(stack):
        units["catalog"] = UcCatalog.from_name(stack, "catalog", "shared_main",
                                               grants={READERS: frozenset({"USE_CATALOG"})})
        units["policy"] = ClusterPolicy.from_name(stack, "policy", "dev-ml-jobs")
        units["by_name"] = ServicePrincipalUnit.from_display_name(stack, "by_name", "dev-jobs_runner",
                                                                  label="jobs_runner")
        units["by_id"] = ServicePrincipalUnit.from_application_id(stack, "by_id", APP_ID, groups=("ml-jobs",))
    return units, synth_construct(build)


def test_nothing_is_created_but_grants_and_memberships(built):
    _, doc = built
    assert sorted(doc["resource"]) == ["databricks_grant", "databricks_group_member"]
    assert sorted(doc["data"]) == ["databricks_catalog", "databricks_cluster_policy", "databricks_group",
                                   "databricks_service_principal"]


def _address_of(unit, child: str) -> str:
    """The address name of ``unit``'s element ``child``: the one a construct at that path gets."""
    return logical_id((*unit.location.parts, child))


def test_catalog_from_name(built):
    units, doc = built
    (cat,) = doc["data"]["databricks_catalog"].values()
    assert cat["name"] == "shared_main"
    assert units["catalog"].resource is None
    assert units["catalog"].lookup.friendly_unique_id == _address_of(units["catalog"], "Existing")
    (grant,) = doc["resource"]["databricks_grant"].values()  # additive by default on a shared catalog
    assert grant["principal"] == "analysts" and grant["catalog"].startswith("${data.databricks_catalog.")


def test_cluster_policy_from_name(built):
    units, doc = built
    (policy,) = doc["data"]["databricks_cluster_policy"].values()
    assert policy == {"name": "dev-ml-jobs"}
    assert units["policy"].policy_id.startswith("${")
    assert units["policy"].data.friendly_unique_id == _address_of(units["policy"], "Resource")


def test_service_principal_factories(built):
    units, doc = built
    lookups = sorted(doc["data"]["databricks_service_principal"].values(), key=str)
    assert {"display_name": "dev-jobs_runner"} in lookups
    assert {"application_id": APP_ID} in lookups
    by_name, by_id = units["by_name"], units["by_id"]
    assert by_name.principal.key == "jobs_runner" and by_name.application_id.startswith("${")
    assert by_id.principal == Principal(APP_ID, "service_principal_name") and by_id.application_id == APP_ID

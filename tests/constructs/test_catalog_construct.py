"""UcCatalog: created vs referenced, protection, grants mode."""

from __future__ import annotations

import pytest

from mlops_constructs.catalog import UcCatalog, UcCatalogProps
from mlops_constructs.principal import Principal

READERS = Principal("analysts")
DEPLOYER = Principal("ci@example.com", "user_name")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        UcCatalog(stack, "created", UcCatalogProps(
            name="mlops_prod", comment="prod", owner="platform-admins", properties={"b": "2", "a": "1"},
            prevent_destroy=True, grants={READERS: frozenset({"USE_CATALOG"})}, deployer=DEPLOYER))
        UcCatalog.from_name(stack, "referenced", "shared_main", grant_mode="additive",
                            grants={READERS: frozenset({"USE_CATALOG", "USE_SCHEMA"})}, deployer=DEPLOYER)
    return synth_construct(build)


def test_created_catalog_is_a_resource_with_protection(doc):
    (cat,) = doc["resource"]["databricks_catalog"].values()
    assert cat["name"] == "mlops_prod"
    assert cat["owner"] == "platform-admins"
    assert cat["properties"] == {"a": "1", "b": "2"}
    assert cat["lifecycle"] == {"prevent_destroy": True}


def test_created_catalog_grants_reference_it_and_keep_the_deployer(doc):
    (grants,) = doc["resource"]["databricks_grants"].values()
    assert grants["catalog"].startswith("${databricks_catalog.")
    by = {g["principal"]: g["privileges"] for g in grants["grant"]}
    assert by["analysts"] == ["USE_CATALOG"]
    assert {"USE_CATALOG", "CREATE_SCHEMA", "MANAGE"} <= set(by["ci@example.com"])


def test_referenced_catalog_is_looked_up_not_managed(doc):
    assert len(doc["resource"]["databricks_catalog"]) == 1  # only the created one
    (lookup,) = doc["data"]["databricks_catalog"].values()
    assert lookup["name"] == "shared_main"
    (grant,) = doc["resource"]["databricks_grant"].values()  # additive: deployer untouched
    assert grant["principal"] == "analysts"
    assert grant["catalog"].startswith("${data.databricks_catalog.")


def test_a_referenced_catalog_has_one_spelling_and_takes_no_created_only_settings():
    import dataclasses

    import cdktf

    assert "create" not in {f.name for f in dataclasses.fields(UcCatalogProps)}  # props always create
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(TypeError, match="prevent_destroy"):
        UcCatalog.from_name(stack, "c", "x", prevent_destroy=True)

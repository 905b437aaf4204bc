"""UcSchema and UcVolume: ordering by reference, protection, grants, validation."""

from __future__ import annotations

import pytest

from mlops_constructs.principal import Principal
from mlops_constructs.schema import UcSchema, UcSchemaProps
from mlops_constructs.volume import UcVolume, UcVolumeProps

READERS = Principal("analysts")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        schema = UcSchema(stack, "features", UcSchemaProps(
            catalog_name="mlops_prod", name="churn_features", comment="features", prevent_destroy=True,
            properties={"owner_team": "churn"}, grants={READERS: frozenset({"USE_SCHEMA", "SELECT"})}))
        UcVolume(stack, "raw", UcVolumeProps(
            catalog_name="mlops_prod", schema_name=schema.name, name="raw", prevent_destroy=True,
            grants={READERS: frozenset({"READ_VOLUME"})}))
        UcVolume(stack, "ext", UcVolumeProps(
            catalog_name="mlops_prod", schema_name=schema.name, name="ext", volume_type="EXTERNAL",
            storage_location="abfss://landing@acct.dfs.core.windows.net/churn"))
    return synth_construct(build)


def test_schema_resource(doc):
    (schema,) = doc["resource"]["databricks_schema"].values()
    assert schema["name"] == "churn_features" and schema["catalog_name"] == "mlops_prod"
    assert schema["lifecycle"] == {"prevent_destroy": True}
    assert schema["properties"] == {"owner_team": "churn"}


def test_volumes_reference_their_schema(doc):
    vols = {v["name"]: v for v in doc["resource"]["databricks_volume"].values()}
    assert vols["raw"]["schema_name"].startswith("${databricks_schema.")
    assert vols["raw"]["volume_type"] == "MANAGED" and vols["raw"]["lifecycle"] == {"prevent_destroy": True}
    assert vols["ext"]["storage_location"].startswith("abfss://")
    assert "lifecycle" not in vols["ext"]


def test_grants_target_the_resources(doc):
    targets = sorted(next(k for k in ("schema", "volume") if k in g)
                     for g in doc["resource"]["databricks_grants"].values())
    assert targets == ["schema", "volume"]


@pytest.mark.parametrize("props, message", [
    (dict(volume_type="EXTERNAL"), "needs storage_location"),
    (dict(storage_location="s3://x/y"), "only used for EXTERNAL"),
    (dict(grants={READERS: frozenset({"SELECT"})}), "valid on a volume: ALL_PRIVILEGES"),
])
def test_volume_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        UcVolume(stack, "v", UcVolumeProps(catalog_name="c", schema_name="s", name="v", **props))

"""UcRegisteredModel: the model, its protection and its authoritative grants."""

from __future__ import annotations

import pytest

from mlops_constructs.principal import Principal
from mlops_constructs.registered_model import UcRegisteredModel, UcRegisteredModelProps

READERS = Principal("analysts")
DEPLOYER = Principal("4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90", "service_principal_name")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        UcRegisteredModel(stack, "protected", UcRegisteredModelProps(
            catalog_name="mlops_prod", schema_name="churn_models", name="churn_model", comment="churn",
            owner="churn-team", prevent_destroy=True, deployer=DEPLOYER,
            grants={READERS: frozenset({"EXECUTE"})}))
        UcRegisteredModel(stack, "plain", UcRegisteredModelProps(
            catalog_name="mlops_dev", schema_name="churn_models", name="scratch_model"))
    return synth_construct(build)


def _models(doc):
    return {v["name"]: v for v in doc["resource"]["databricks_registered_model"].values()}


def test_model_resource_and_protection(doc):
    models = _models(doc)
    m = models["churn_model"]
    assert (m["catalog_name"], m["schema_name"], m["comment"], m["owner"]) == \
        ("mlops_prod", "churn_models", "churn", "churn-team")
    assert m["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in models["scratch_model"]


def test_grants_reference_the_model_and_keep_the_deployer(doc):
    (grants,) = doc["resource"]["databricks_grants"].values()  # none for the model without grants
    assert grants["model"].startswith("${databricks_registered_model.") and grants["model"].endswith(".id}")
    by = {g["principal"]: g["privileges"] for g in grants["grant"]}
    assert by == {"analysts": ["EXECUTE"], DEPLOYER.name: ["APPLY_TAG", "EXECUTE", "MANAGE"]}
    assert [g["principal"] for g in grants["grant"]] == sorted(by)


@pytest.mark.parametrize("props, message", [
    (dict(grants={READERS: frozenset({"SELECT"})}),
     "privilege SELECT not valid on a model; valid on a model: ALL_PRIVILEGES, APPLY_TAG, EXECUTE, MANAGE "
     "\\(provider docs: grants, 'Registered model grants'\\)"),
    (dict(name="a.b"), "must not contain '.'"),
])
def test_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    base = dict(catalog_name="c", schema_name="s", name="m")
    with pytest.raises(ValueError, match=message):
        UcRegisteredModel(stack, "m", UcRegisteredModelProps(**{**base, **props}))

"""SecretScopeUnit: scope + ACLs per principal, sorted; never a secret value."""

from __future__ import annotations

import json

import pytest

from mlops_constructs.principal import Principal
from mlops_constructs.secret_scope import SecretScopeProps, SecretScopeUnit

DEPLOYER = Principal("4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90", "service_principal_name")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        SecretScopeUnit(stack, "scope", SecretScopeProps(name="mlops", acls={
            Principal("ml-engineers"): "MANAGE", Principal("analysts"): "READ",
            Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name"): "READ"}))
        SecretScopeUnit(stack, "deployer_listed", SecretScopeProps(
            name="ops", acls={DEPLOYER: "READ", Principal("analysts"): "READ"}, deployer=DEPLOYER))
        SecretScopeUnit(stack, "deployer_unlisted", SecretScopeProps(
            name="team", acls={Principal("analysts"): "READ"}, deployer=DEPLOYER))
    return synth_construct(build)


def _acls(doc, scope_id):
    return {v["principal"]: v["permission"] for k, v in doc["resource"]["databricks_secret_acl"].items()
            if k.startswith(f"{scope_id}_")}


def test_scope_and_acls(doc):
    scopes = {v["name"]: v for v in doc["resource"]["databricks_secret_scope"].values()}
    assert scopes["mlops"] == {"name": "mlops"}  # Databricks-backed: no keyvault_metadata
    assert _acls(doc, "scope") == {
        "ml-engineers": "MANAGE", "analysts": "READ", "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72": "READ"}
    acls = doc["resource"]["databricks_secret_acl"]
    assert list(acls) == sorted(acls)  # addressed by principal
    for acl in acls.values():
        assert acl["scope"].startswith("${databricks_secret_scope.")


def test_a_listed_deployer_keeps_manage(doc):
    assert _acls(doc, "deployer_listed") == {DEPLOYER.name: "MANAGE", "analysts": "READ"}
    assert _acls(doc, "deployer_unlisted") == {"analysts": "READ"}  # the creator's MANAGE stays implicit


def test_no_secret_resource_or_value(doc):
    assert "databricks_secret" not in doc["resource"]
    assert "string_value" not in json.dumps(doc)


@pytest.mark.parametrize("props, message", [
    (dict(name="bad name"), "must be 1-128"),
    (dict(name="ok", acls={Principal("x"): "ADMIN"}), "READ, WRITE, MANAGE"),
])
def test_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        SecretScopeUnit(stack, "s", SecretScopeProps(**props))

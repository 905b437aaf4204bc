"""SecretScopeUnit: scope + ACLs per principal, sorted; never a secret value."""

from __future__ import annotations

import json

import pytest

from mlops_constructs.principal import Principal
from mlops_constructs.secret_scope import SecretScopeProps, SecretScopeUnit


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        SecretScopeUnit(stack, "scope", SecretScopeProps(name="mlops", acls={
            Principal("ml-engineers"): "MANAGE", Principal("analysts"): "READ",
            Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name"): "READ"}))
    return synth_construct(build)


def test_scope_and_acls(doc):
    (scope,) = doc["resource"]["databricks_secret_scope"].values()
    assert scope["name"] == "mlops"
    acls = doc["resource"]["databricks_secret_acl"]
    assert {v["principal"]: v["permission"] for v in acls.values()} == {
        "ml-engineers": "MANAGE", "analysts": "READ", "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72": "READ"}
    assert list(acls) == sorted(acls)  # addressed by principal


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

"""UcGrants: authoritative vs additive, privilege validation, deployer merge, sorted output."""

from __future__ import annotations

import pytest

from mlops_constructs.grants import UcGrants, UcGrantsProps
from mlops_constructs.principal import Principal
from databricks_spec.privileges import DEPLOYER_PRIVILEGES, PRIVILEGES

READERS = Principal("analysts")
ENGINEERS = Principal("ml-engineers")
RUNNER = Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name")
DEPLOYER = Principal("4b8d2c6e-1a3f-4d7b-8e9c-2f5a6b7c8d90", "service_principal_name")


@pytest.fixture(scope="module")
def doc(synth_construct):
    def build(stack):
        # Deliberately unsorted input: output must not depend on it.
        UcGrants(stack, "auth", UcGrantsProps(
            securable_type="schema", securable_name="main.features",
            privileges={RUNNER: frozenset({"USE_SCHEMA", "MODIFY", "SELECT"}),
                        READERS: frozenset({"USE_SCHEMA", "SELECT"}),
                        ENGINEERS: frozenset({"USE_SCHEMA"})},
            deployer=DEPLOYER))
        UcGrants(stack, "additive", UcGrantsProps(
            securable_type="schema", securable_name="main.shared", mode="additive",
            privileges={RUNNER: frozenset({"SELECT", "USE_SCHEMA"}), READERS: frozenset({"USE_SCHEMA"})},
            deployer=DEPLOYER))
        UcGrants(stack, "listed_deployer", UcGrantsProps(
            securable_type="catalog", securable_name="shared_main", mode="additive",
            privileges={DEPLOYER: frozenset({"USE_CATALOG"}), READERS: frozenset({"USE_CATALOG"})},
            deployer=DEPLOYER))
        UcGrants(stack, "schema_model", UcGrantsProps(
            securable_type="schema", securable_name="main.models",
            privileges={ENGINEERS: frozenset({"CREATE_MODEL", "USE_SCHEMA"})}))
    return synth_construct(build)


def _one(doc, rtype, prefix):
    return [v for k, v in doc["resource"][rtype].items() if k.startswith(prefix)]


def test_authoritative_is_one_grants_resource_sorted_by_principal_and_privilege(doc):
    (res,) = _one(doc, "databricks_grants", "auth")
    assert res["schema"] == "main.features"
    principals = [g["principal"] for g in res["grant"]]
    assert principals == sorted(principals)
    for g in res["grant"]:
        assert g["privileges"] == sorted(g["privileges"])


def test_deployer_keeps_its_privileges_in_authoritative_mode(doc):
    (res,) = _one(doc, "databricks_grants", "auth")
    grants = {g["principal"]: set(g["privileges"]) for g in res["grant"]}
    assert grants[DEPLOYER.name] == set(DEPLOYER_PRIVILEGES["schema"])
    assert {"USE_SCHEMA", "CREATE_TABLE", "CREATE_MODEL", "MODIFY", "MANAGE"} <= grants[DEPLOYER.name]


def test_additive_is_one_grant_per_principal_and_leaves_the_deployer_alone(doc):
    grants = _one(doc, "databricks_grant", "additive")
    assert sorted(g["principal"] for g in grants) == sorted([RUNNER.name, READERS.name])
    assert all(g["schema"] == "main.shared" for g in grants)
    assert not _one(doc, "databricks_grants", "additive")
    # addressed by principal, not list position
    keys = [k for k in doc["resource"]["databricks_grant"]]
    assert any("analysts" in k for k in keys) and any(RUNNER.name.split("-")[0] in k for k in keys)


def test_create_model_is_valid_on_schemas(doc):
    (res,) = _one(doc, "databricks_grants", "schema_model")
    assert res["grant"][0]["privileges"] == ["CREATE_MODEL", "USE_SCHEMA"]
    assert "CREATE_MODEL" in PRIVILEGES["schema"]


def test_invalid_privilege_names_the_allowed_ones():
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError) as exc:
        UcGrants(stack, "g", UcGrantsProps(securable_type="volume", securable_name="a.b.c",
                                           privileges={READERS: frozenset({"SELECT"})}))
    msg = str(exc.value)
    assert "SELECT not valid on a volume" in msg
    assert "READ_VOLUME" in msg and "WRITE_VOLUME" in msg and "Volume grants" in msg


def test_every_deployer_privilege_is_valid_for_its_securable():
    for securable, privileges in DEPLOYER_PRIVILEGES.items():
        assert privileges <= PRIVILEGES[securable], securable


def test_additive_grant_of_a_listed_deployer_keeps_what_it_needs(doc):
    """databricks_grant replaces all of one principal's grants: listed, the deployer must
    not be reduced to the listed privileges."""
    grants = {g["principal"]: g["privileges"] for g in _one(doc, "databricks_grant", "listed_deployer")}
    assert grants["analysts"] == ["USE_CATALOG"]
    assert {"USE_CATALOG", "USE_SCHEMA", "CREATE_SCHEMA", "CREATE_TABLE", "CREATE_MODEL", "MODIFY",
            "MANAGE"} <= set(grants[DEPLOYER.name])


def test_principals_created_in_the_same_apply_sort_by_their_config_key(synth_construct):
    def build(stack):
        from cdktf_cdktf_provider_databricks.service_principal import ServicePrincipal

        created = ServicePrincipal(stack, "sp", display_name="dev-jobs_runner")
        runner = Principal(created.application_id, "service_principal_name", label="jobs_runner")
        UcGrants(stack, "g", UcGrantsProps(securable_type="schema", securable_name="main.s", privileges={
            runner: frozenset({"USE_SCHEMA"}), Principal("analysts"): frozenset({"USE_SCHEMA"}),
            Principal("zeta"): frozenset({"USE_SCHEMA"})}))
        UcGrants(stack, "a", UcGrantsProps(securable_type="schema", securable_name="main.s2", mode="additive",
                                           privileges={runner: frozenset({"USE_SCHEMA"})}))

    doc = synth_construct(build)
    (res,) = doc["resource"]["databricks_grants"].values()
    assert [g["principal"] for g in res["grant"]] == [
        "analysts", "${databricks_service_principal.sp.application_id}", "zeta"]
    (address,) = doc["resource"]["databricks_grant"]
    assert "jobs_runner" in address  # addressed by the config key, not the token

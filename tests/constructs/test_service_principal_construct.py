"""ServicePrincipalUnit: created (workspace/account level) or referenced, group membership."""

from __future__ import annotations

import pytest

from mlops_constructs.service_principal import (EntitlementsSpec, ServicePrincipalProps,
                                                ServicePrincipalUnit)

APP_ID = "9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72"


@pytest.fixture(scope="module")
def built(synth_construct):
    units = {}

    def build(stack):
        from cdktf_cdktf_provider_databricks.provider import DatabricksProvider

        DatabricksProvider(stack, "ws", host="https://adb-1.1.azuredatabricks.net")
        account = DatabricksProvider(stack, "acc", alias="account", host="https://accounts.azuredatabricks.net",
                                     account_id="00000000-0000-0000-0000-000000000001")
        units["ws"] = ServicePrincipalUnit(stack, "ws_sp", ServicePrincipalProps(
            display_name="dev-jobs_runner", groups=("ml-jobs", "alpha"),
            entitlements=EntitlementsSpec(databricks_sql_access=True), label="jobs_runner"))
        units["acc"] = ServicePrincipalUnit(stack, "acc_sp", ServicePrincipalProps(
            level="account", display_name="prod-batch", account_provider=account,
            workspace_id="1234567890", entitlements=EntitlementsSpec()))
        units["ref"] = ServicePrincipalUnit.from_application_id(stack, "ref_sp", APP_ID, groups=("ml-jobs",))
    return synth_construct(build), units


def test_workspace_level_created_with_entitlements(built):
    doc, units = built
    sps = {v["display_name"]: v for v in doc["resource"]["databricks_service_principal"].values()}
    ws = sps["dev-jobs_runner"]
    assert ws["databricks_sql_access"] is True and ws["allow_cluster_create"] is False
    assert "provider" not in ws
    assert units["ws"].principal.kind == "service_principal_name"
    assert units["ws"].principal.key == "jobs_runner"  # stable key while the id is a token


def test_account_level_created_and_assigned_to_the_workspace(built):
    doc, _ = built
    sps = {v["display_name"]: v for v in doc["resource"]["databricks_service_principal"].values()}
    assert sps["prod-batch"]["provider"] == "databricks.account"
    (assign,) = doc["resource"]["databricks_mws_permission_assignment"].values()
    assert assign["workspace_id"] == 1234567890 and assign["permissions"] == ["USER"]
    assert assign["provider"] == "databricks.account"
    (ent,) = doc["resource"]["databricks_entitlements"].values()
    assert ent["workspace_access"] is True and "depends_on" in ent


def test_referenced_is_looked_up_by_application_id(built):
    doc, units = built
    (lookup,) = doc["data"]["databricks_service_principal"].values()
    assert lookup["application_id"] == APP_ID
    assert units["ref"].application_id == APP_ID and units["ref"].principal.name == APP_ID


def test_group_membership_per_group_sorted_and_addressed_by_group(built):
    doc, _ = built
    members = doc["resource"]["databricks_group_member"]
    assert len(members) == 3
    assert any("alpha" in k for k in members) and sum("ml-jobs" in k for k in members) == 2
    groups = {v["display_name"] for v in doc["data"]["databricks_group"].values()}
    assert groups == {"alpha", "ml-jobs"}


@pytest.mark.parametrize("props, message", [
    (dict(), "needs display_name"),
    (dict(application_id="not-a-uuid"), "must be a UUID"),
    (dict(display_name="x", level="account"), "account-level provider"),
])
def test_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        ServicePrincipalUnit(stack, "sp", ServicePrincipalProps(**props))


@pytest.mark.parametrize("factory, value, message", [
    ("from_application_id", "not-a-uuid", "must be a UUID"),
    ("from_application_id", "", "must be a UUID"),
    ("from_display_name", "", "needs application_id or display_name"),
])
def test_reference_validation(factory, value, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        getattr(ServicePrincipalUnit, factory)(stack, "sp", value)


def test_a_referenced_principal_has_one_spelling():
    import dataclasses

    assert "mode" not in {f.name for f in dataclasses.fields(ServicePrincipalProps)}

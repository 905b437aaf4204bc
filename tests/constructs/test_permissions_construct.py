"""ObjectPermissions: one authoritative databricks_permissions per workspace object, sorted."""

from __future__ import annotations

import pytest

from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal

ANALYSTS = Principal("analysts")
LEAD = Principal("lead@example.com", "user_name")
RUNNER = Principal("9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72", "service_principal_name")


@pytest.fixture(scope="module")
def built(synth_construct):
    out = {}

    def build(stack):
        from cdktf_cdktf_provider_databricks.service_principal import ServicePrincipal

        created = ServicePrincipal(stack, "created", display_name="dev-aaa_runner")
        # a principal whose name is a token: sorted by its label ("zz_runner"), not by the token
        token_principal = Principal(created.application_id, "service_principal_name", label="zz_runner")
        out["token"] = created.application_id
        # deliberately unsorted input
        ObjectPermissions(stack, "warehouse", ObjectPermissionsProps(
            object_attribute="sql_endpoint_id", object_id="0f1e2d3c4b5a6978",
            access={token_principal: "CAN_USE", RUNNER: "CAN_USE", LEAD: "CAN_MANAGE", ANALYSTS: "CAN_VIEW"},
            valid_levels=frozenset({"CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER"})))
    out["doc"] = synth_construct(build)
    return out


def test_one_resource_naming_the_object(built):
    (perms,) = built["doc"]["resource"]["databricks_permissions"].values()
    assert perms["sql_endpoint_id"] == "0f1e2d3c4b5a6978"
    assert not {"job_id", "experiment_id", "cluster_policy_id", "serving_endpoint_id"} & set(perms)


def test_access_controls_use_the_principal_kind_and_are_sorted_by_stable_key(built):
    (perms,) = built["doc"]["resource"]["databricks_permissions"].values()
    controls = perms["access_control"]
    assert controls == [
        {"service_principal_name": RUNNER.name, "permission_level": "CAN_USE"},
        {"group_name": "analysts", "permission_level": "CAN_VIEW"},
        {"user_name": "lead@example.com", "permission_level": "CAN_MANAGE"},
        {"service_principal_name": "${databricks_service_principal.created.application_id}",
         "permission_level": "CAN_USE"},
    ]


@pytest.mark.parametrize("props, message", [
    (dict(access={}), "at least one access entry"),
    (dict(access={ANALYSTS: "CAN_QUERY"}, valid_levels=frozenset({"CAN_USE"})),
     "invalid permission level\\(s\\) CAN_QUERY; valid: CAN_USE"),
])
def test_validation(props, message):
    import cdktf

    stack = cdktf.TerraformStack(cdktf.Testing.app(), "bad")
    with pytest.raises(ValueError, match=message):
        ObjectPermissions(stack, "p", ObjectPermissionsProps(object_attribute="cluster_policy_id",
                                                             object_id="ABC", **props))

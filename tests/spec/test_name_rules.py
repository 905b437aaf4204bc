"""Name rules that config and constructs both call (databricks_spec.names) and the service
principal create/reference rule, alone: plain values in, answers out. No jsii, no pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from databricks_spec import names
from databricks_spec.rules import Finding
from databricks_spec.rules.service_principals import service_principal

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"


def test_name_rules_load_without_jsii_or_pydantic():
    code = ("import sys, databricks_spec.names, databricks_spec.rules.service_principals; "
            "bad = [m for m in ('jsii', 'cdktf', 'constructs', 'pydantic', 'yaml') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("name,ok", [("churn", True), ("Churn_2", True), ("a-b", True), ("_x", True),
                                     ("-x", False), ("a.b", False), ("a b", False), ("a/b", False),
                                     ("", False), ("x" * 255, True), ("x" * 256, False)])
def test_uc_part(name, ok):
    assert (names.uc_part_problem(name) == []) is ok


def test_uc_name_also_refuses_upper_case_the_part_rule_allows():
    assert names.uc_part_problem("Churn") == []
    (f,) = names.uc_name_problem("Churn")
    assert "lower case" in f.message
    assert names.uc_name_problem("a.b") == names.uc_part_problem("a.b")


@pytest.mark.parametrize("name,parts,ok", [("cat.sch.tbl", 3, True), ("c-1.s_2.t", 3, True), ("sch.tbl", 3, False),
                                           ("a.b.c.d", 3, False), ("cat..tbl", 3, False), ("cat.sch.t bl", 3, False),
                                           ("cat.sch", 2, True), ("cat.sch.tbl", 2, False), ("cat", 2, False)])
def test_uc_full_name(name, parts, ok):
    findings = names.uc_full_name_problem(name, parts)
    assert (findings == []) is ok
    if not ok:
        (f,) = findings
        assert f.message == f"{name!r} must be a full name {'catalog.schema.object' if parts == 3 else 'catalog.schema'}"
        assert f.doc == "Databricks docs: SQL language reference, 'Names'" and f.key == ()


@pytest.mark.parametrize("name,ok", [("t", True), ("s.t", True), ("c.s.t", True), ("c.s.t.x", False),
                                     ("c..t", False), ("bad name", False), ("s.-t", False), ("", False)])
def test_table_reference(name, ok):
    findings = names.table_reference_problem(name)
    assert (findings == []) is ok
    if not ok:
        (f,) = findings
        assert f.message == f"{name!r} is not a table name: use table, schema.table or catalog.schema.table"


@pytest.mark.parametrize("name,ok", [("mlops", True), ("team.ml-1_x", True), ("x" * 128, True),
                                     ("x" * 129, False), ("", False), ("bad name", False), ("a/b", False)])
def test_secret_scope_name(name, ok):
    findings = names.secret_scope_name_problem(name)
    assert (findings == []) is ok
    if not ok:
        (f,) = findings
        assert f.message == f"secret scope name {name!r} must be 1-128 letters, digits, '-', '_' or '.'"
        assert f.doc == "provider docs: secret_scope, 'Argument Reference'"
        # the one-line form (message and source) is the sentence the rule gave before it returned findings
        assert str(f) == (f"secret scope name {name!r} must be 1-128 letters, digits, '-', '_' or '.' "
                          "(provider docs: secret_scope, 'Argument Reference')")


@pytest.mark.parametrize("name,ok", [("p", True), ("x" * 100, True), ("", False), ("x" * 101, False)])
def test_policy_name(name, ok):
    findings = names.policy_name_problem(name)
    assert (findings == []) is ok
    if not ok:
        assert findings == [Finding((), f"cluster policy name must be 1-100 characters, got {len(name)}",
                                    "provider docs: cluster_policy, 'Argument Reference'")]


@pytest.mark.parametrize("name,message", [
    ("e" * 64, "endpoint name is 64 characters, more than 63 (shorten the project or endpoint key, or set name)"),
    ("-x", "endpoint names may only contain letters, digits, '-' and '_', starting with a letter or digit"),
])
def test_endpoint_name(name, message):
    assert names.endpoint_name_problem("dev-churn") == []
    assert names.endpoint_name_problem(name) == [Finding((), message, "provider docs: model_serving, 'Argument Reference'")]


@pytest.mark.parametrize("name,message", [(" ", "job name is empty"), ("j" * 4097, "job name is 4097 characters, more than 4096"),
                                          ("a\tb", "job name contains a control character")])
def test_job_name(name, message):
    assert names.job_name_problem("[dev] churn training") == []
    assert names.job_name_problem(name) == [Finding((), message, "provider docs: job, 'Argument Reference'")]


@pytest.mark.parametrize("path,message", [
    ("rel/x", "must be an absolute workspace path"),
    ("/a//b", "workspace path has an empty part ('//')"),
    ("/" + "p" * 256, "workspace path part is 256 characters, more than 255"),
    ("/a\x01", "workspace path contains a control character"),
])
def test_workspace_path(path, message):
    assert names.workspace_path_problem("/Shared/mlops/churn") == []
    assert names.workspace_path_problem(path) == [Finding((), message, "provider docs: directory, 'Argument Reference'")]


def test_name_problem_is_the_rule_of_its_kind_with_its_doc():
    (f,) = names.name_problem("schema", "Churn")
    assert f.message == "Unity Catalog stores names in lower case; write 'churn' (otherwise every plan shows a change)"
    assert f.doc == "Databricks docs: SQL language reference, 'Names'" and f.key == ()
    assert names.name_problem("cluster policy", "") == names.policy_name_problem("")
    assert all(names.name_problem(kind, "ok_name" if kind != "experiment" and "folder" not in kind else "/ok") == []
               for kind in names.RULES)


# --------------------------------------------------------------------------- service principals

def keys(findings):
    return sorted(f.key for f in findings)


def test_created_service_principal():
    assert service_principal(create=True, application_id=None, display_name="dev-runner") == []
    assert service_principal(create=True, application_id=APP_ID, display_name=None) == []
    (f,) = service_principal(create=True, application_id=None, display_name=None)
    assert f.key == () and "needs display_name" in f.message and "service_principal" in f.doc
    # config derives a display name for a created one, so none is missing there
    assert service_principal(create=True, application_id=None, display_name=None, name_derived=True) == []


def test_referenced_service_principal_in_a_construct():
    assert service_principal(create=False, application_id=APP_ID, display_name=None) == []
    assert service_principal(create=False, application_id=None, display_name="dev-runner") == []
    (f,) = service_principal(create=False, application_id=None, display_name=None)
    assert "needs application_id or display_name" in f.message
    assert keys(service_principal(create=False, application_id=APP_ID, display_name=None,
                                  entitlements=True)) == [("entitlements",)]


def test_referenced_service_principal_in_config_is_found_by_application_id_only():
    rule = dict(create=False, by_display_name=False)
    (f,) = service_principal(application_id=None, display_name=None, **rule)
    assert f.message == "a referenced service principal needs application_id"
    assert keys(service_principal(application_id=None, display_name="x", **rule)) == [(), ("display_name",)]
    assert keys(service_principal(application_id=APP_ID, display_name="x", entitlements=True, **rule)) == \
        [("display_name",), ("entitlements",)]


@pytest.mark.parametrize("create", [True, False])
def test_application_id_is_a_uuid(create):
    (f,) = service_principal(create=create, application_id="not-a-uuid", display_name="x")
    assert f.key == ("application_id",) and "must be a UUID" in f.message

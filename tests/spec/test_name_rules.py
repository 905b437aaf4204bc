"""Name rules that config and constructs both call (databricks_spec.names) and the service
principal create/reference rule, alone: plain values in, answers out. No jsii, no pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from databricks_spec import names
from databricks_spec.rules import Finding, named
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
    assert (names.uc_part_problem(name) is None) is ok


def test_uc_name_also_refuses_upper_case_the_part_rule_allows():
    assert names.uc_part_problem("Churn") is None
    assert "lower case" in names.uc_name_problem("Churn")
    assert names.uc_name_problem("a.b") == names.uc_part_problem("a.b")


@pytest.mark.parametrize("name,parts,ok", [("cat.sch.tbl", 3, True), ("c-1.s_2.t", 3, True), ("sch.tbl", 3, False),
                                           ("a.b.c.d", 3, False), ("cat..tbl", 3, False), ("cat.sch.t bl", 3, False),
                                           ("cat.sch", 2, True), ("cat.sch.tbl", 2, False), ("cat", 2, False)])
def test_uc_full_name(name, parts, ok):
    problem = names.uc_full_name_problem(name, parts)
    assert (problem is None) is ok
    if not ok:
        assert ("catalog.schema.object" if parts == 3 else "catalog.schema") in problem


@pytest.mark.parametrize("name,ok", [("t", True), ("s.t", True), ("c.s.t", True), ("c.s.t.x", False),
                                     ("c..t", False), ("bad name", False), ("s.-t", False), ("", False)])
def test_table_reference(name, ok):
    problem = names.table_reference_problem(name)
    assert (problem is None) is ok
    if not ok:
        assert "is not a table name: use table, schema.table or catalog.schema.table" in problem


@pytest.mark.parametrize("name,ok", [("mlops", True), ("team.ml-1_x", True), ("x" * 128, True),
                                     ("x" * 129, False), ("", False), ("bad name", False), ("a/b", False)])
def test_secret_scope_name(name, ok):
    problem = names.secret_scope_name_problem(name)
    assert (problem is None) is ok
    if not ok:
        assert "must be 1-128" in problem and "secret_scope" in problem


@pytest.mark.parametrize("name,ok", [("p", True), ("x" * 100, True), ("", False), ("x" * 101, False)])
def test_policy_name(name, ok):
    problem = names.policy_name_problem(name)
    assert (problem is None) is ok
    if not ok:
        assert "1-100 characters" in problem and "cluster_policy" in problem


def test_named_places_a_name_rule_answer_at_a_key():
    assert named(None, "name") == []
    assert named("too long", "scopes", "a") == [Finding(("scopes", "a"), "too long")]


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

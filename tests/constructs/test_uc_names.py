"""Full-name shape checks shared by the constructs; references are left to plan time."""

from __future__ import annotations

import pytest

from mlops_constructs.uc_names import is_full_name, is_schema_full_name


@pytest.mark.parametrize("name,ok", [("cat.sch.tbl", True), ("c-1.s_2.t", True), ("sch.tbl", False),
                                     ("a.b.c.d", False), ("cat..tbl", False), ("cat.sch.t bl", False)])
def test_full_name(name: str, ok: bool) -> None:
    assert is_full_name(name) is ok


def test_schema_full_name() -> None:
    assert is_schema_full_name("cat.sch") and not is_schema_full_name("cat.sch.tbl")


def test_references_are_not_judged_by_shape() -> None:
    import cdktf

    token = cdktf.Token.as_string(cdktf.Fn.lower("x"))  # an unresolved Terraform expression
    assert is_full_name(f"{token}.models.churn_model")
    assert is_schema_full_name(token)

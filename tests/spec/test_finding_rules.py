"""Pipeline, integer-range and import-id rules alone (databricks_spec.pipelines, .ranges,
.import_ids): plain values in, findings (key, message, doc reference) out. No jsii."""

from __future__ import annotations

import pytest

from databricks_spec import pipelines as spec
from databricks_spec.import_ids import import_id_problem
from databricks_spec.ranges import int_range_problem
from databricks_spec.rules import Finding

PIPELINE = "provider docs: pipeline"
LIBRARY = "provider docs: pipeline, 'library block'"
EXPECTATIONS = "Databricks docs: Manage data quality with pipeline expectations"


@pytest.mark.parametrize("rule,value,message,doc", [
    (spec.level_problem, "CAN_EDIT",
     "'CAN_EDIT' is not a pipeline permission level; valid: CAN_VIEW, CAN_RUN, CAN_MANAGE, IS_OWNER",
     "provider docs: permissions, 'Pipelines usage'"),
    (spec.alert_problem, "on-failure",
     "unknown alert type 'on-failure'; valid: on-flow-failure, on-update-failure, on-update-fatal-failure, "
     "on-update-success", f"{PIPELINE}, 'notification block'"),
    (spec.format_problem, "cloudFiles",
     "Auto Loader does not read format 'cloudFiles'; supported: avro, binaryFile, csv, json, orc, parquet, text, xml",
     "Auto Loader options, cloudFiles.format"),
    (spec.evolution_problem, "add",
     "unknown schema evolution mode 'add'; valid: addNewColumns, failOnNewColumns, none, rescue",
     "Auto Loader options, cloudFiles.schemaEvolutionMode"),
    (spec.action_problem, "skip", "unknown expectation action 'skip'; valid: drop, fail, warn", EXPECTATIONS),
    (spec.expression_problem, "  ",
     "an expectation needs a SQL boolean expression, e.g. customer_id IS NOT NULL", EXPECTATIONS),
    (spec.option_name_problem, "a b", "option name 'a b' may only contain letters, digits, '_', '-' and '.'",
     "Auto Loader options"),
    (spec.reserved_key_problem, "mlops.x",
     "configuration key 'mlops.x': keys under 'mlops.' are set by the platform", f"{PIPELINE}, 'Argument Reference'"),
    (spec.reserved_key_problem, "a b",
     "configuration key 'a b' may only contain letters, digits, '_', '-' and '.'", f"{PIPELINE}, 'Argument Reference'"),
])
def test_pipeline_value_rules(rule, value, message, doc):
    assert rule(value) == [Finding((), message, doc)]


@pytest.mark.parametrize("rule,value", [(spec.level_problem, "CAN_RUN"), (spec.alert_problem, "on-update-failure"),
                                        (spec.format_problem, "binaryFile"), (spec.evolution_problem, "rescue"),
                                        (spec.action_problem, "drop"), (spec.expression_problem, "x > 0"),
                                        (spec.option_name_problem, "cloudFiles.inferColumnTypes"),
                                        (spec.reserved_key_problem, "mlopsx")])
def test_pipeline_value_rules_accept(rule, value):
    assert rule(value) == []


@pytest.mark.parametrize("kind,path,message", [
    ("file", "/Workspace/${x}.py", "file '/Workspace/${x}.py': a path may not contain '${' or '%{' "
                                   "(Terraform would evaluate it)"),
    ("file", "s3://bucket/x.py", "file 's3://bucket/x.py': pipeline sources are workspace files or notebooks, "
                                 "not cloud storage or volumes"),
    ("notebook", "/Workspace/x.py", "notebook '/Workspace/x.py' names a file: use `file: /Workspace/x.py` for a "
                                    ".py/.sql source file, or give the notebook path without extension"),
    ("file", "/Workspace/x", "file '/Workspace/x' must be a .py or .sql source file; use `notebook:` for a notebook "
                             "or `glob:` with a folder ending in '/**'"),
    ("glob", "/Workspace/x/*/y", "glob '/Workspace/x/*/y': only a trailing '/**' (everything in a folder) is supported"),
    ("jar", "/Workspace/x", "unknown library kind 'jar'; valid: notebook, file, glob"),
])
def test_library_rule(kind, path, message):
    (f,) = spec.library_problem(kind, path)
    assert (f.key, f.message, f.doc) == ((), message, LIBRARY)
    assert spec.library_problem("glob", "/Workspace/x/**") == [] and spec.library_problem("file", "/W/a.sql") == []


def test_library_rule_one_line_form_is_the_former_sentence():
    (f,) = spec.library_problem("glob", "/Workspace/x/*/y")
    assert str(f) == ("glob '/Workspace/x/*/y': only a trailing '/**' (everything in a folder) is supported "
                      "(provider docs: pipeline, 'library block')")


def test_int_range_rule():
    doc = "Databricks docs: REST API reference, 'int32 and int64 fields'"
    assert int_range_problem("max_workers", 2 ** 31) == [Finding(
        (), "2147483648 does not fit a 32-bit integer (-2147483648..2147483647), as the API stores max_workers", doc)]
    assert int_range_problem("calls", 2 ** 63) == [Finding((), "9223372036854775808 does not fit a 64-bit integer", doc)]
    assert int_range_problem("max_workers", 2 ** 31 - 1) == [] and int_range_problem(None, -(2 ** 63)) == []


def test_import_id_rule():
    (f,) = import_id_problem("databricks_schema", "a.b.c")
    assert f.key == () and f.doc == "provider docs: schema, 'Import'"
    assert f.message == ("id 'a.b.c' has 3 dot-separated part(s), not 2: databricks_schema is imported by "
                         "<catalog_name>.<name> (e.g. mlops_dev.churn_features; provider docs: schema, 'Import')")
    (f,) = import_id_problem("databricks_schema", "a.-b")
    assert f.message.startswith("id 'a.-b': '-b' is not a Unity Catalog name: databricks_schema is imported by")
    assert import_id_problem("databricks_schema", "mlops_dev.churn_features") == []

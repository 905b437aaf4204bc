"""Issue 15 "Bad input": every feature-store mistake is exit 2 through the CLI, naming file,
line and key, with nothing written (the previous cdktf.out stays byte-identical)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PROJECT = "projects/churn.yaml"
PROD = "environments/prod.yaml"
TABLE = "jobs.feature_engineering.tables.customer_features"


def _line(path: Path, text: str) -> int:
    """1-based line of the first line containing ``text`` (after the edit)."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# (id, file, old, new, line marker (in the edited file), key, message fragment)
CASES = [
    ("online table without primary keys", PROJECT,
     "        primary_keys: [customer_id]\n        timestamp_column: snapshot_date\n"
     "        parameters: {features_transform_module: customer_features}\n",
     "        timestamp_column: snapshot_date\n"
     "        parameters: {features_transform_module: customer_features}\n",
     "online: true             # staging", f"{TABLE}.online", "an online table needs primary_keys"),
    ("timeseries key not declared", PROJECT, "        online: false\n",
     "        online: false\n        timeseries_key: updated_at\n",
     "timeseries_key: updated_at", f"{TABLE}.timeseries_key", "'updated_at' is not a column the job declares"),
    ("unknown store name", PROJECT, "  store: features\n", "  store: feature_store\n",
     "store: feature_store", "online.store", "unknown online store 'feature_store'"),
    ("capacity outside the documented values", PROD, "    capacity: CU_2\n", "    capacity: CU_3\n",
     "capacity: CU_3", "online_stores.features.capacity", "valid: CU_1, CU_2, CU_4, CU_8"),
    ("synced table in an environment without a store", PROJECT,
     "        online: false\n", "        online: true   # everywhere\n",
     "online: true   # everywhere", f"{TABLE}.online", "environment 'dev' has none"),
    ("feature spec not three-part", PROJECT,
     "              feature_tables: [customer_features]   # the model looks these features up online\n",
     "              feature_spec: churn_features.customer_spec\n",
     "feature_spec: churn_features", "serving.endpoints.churn.entities.champion.feature_spec",
     "must be a full three-part name"),
    # beyond the list: the rules around them
    ("lookup of a table that is not online", PROJECT, "            online: true             # prod's online store\n",
     "            online: false\n",
     "feature_tables: [customer_features]", "serving.endpoints.churn.entities.champion.feature_tables[0]",
     "is not online in environment 'prod'"),
    ("retention outside 2-35 days", PROD, "    retention_window_days: 14\n", "    retention_window_days: 60\n",
     "retention_window_days: 60", "online_stores.features.retention_window_days", "outside 2 to 35"),
    ("readable secondaries without a secondary", PROD, "    node_count: 2\n", "    node_count: 1\n",
     "readable_secondaries: true", "online_stores.features.readable_secondaries", "node_count >= 2"),
    ("scheduling policy not documented", PROJECT, "  scheduling_policy: TRIGGERED\n",
     "  scheduling_policy: HOURLY\n", "scheduling_policy: HOURLY", "online.scheduling_policy",
     "valid: SNAPSHOT, TRIGGERED, CONTINUOUS"),
    ("instance name", PROD, "    capacity: CU_2\n", "    capacity: CU_2\n    name: Features_Online\n",
     "name: Features_Online", "online_stores.features.name", "database instance name 'Features_Online'"),
    ("unknown role in store permissions", PROD, "      ml_engineers: CAN_MANAGE\n      job_runners: CAN_USE\n",
     "      ml_enginers: CAN_MANAGE\n      job_runners: CAN_USE\n", "ml_enginers: CAN_MANAGE",
     "online_stores.features.permissions.ml_enginers", "unknown role 'ml_enginers'"),
    ("unknown role in feature-table grants", PROJECT, "          readers: [SELECT]\n", "          raeders: [SELECT]\n",
     "raeders: [SELECT]", f"{TABLE}.grants.raeders", "unknown role 'raeders'"),
    ("store permission level", PROD, "      ml_engineers: CAN_MANAGE\n      job_runners: CAN_USE\n",
     "      ml_engineers: CAN_ADMIN\n      job_runners: CAN_USE\n", "ml_engineers: CAN_ADMIN",
     "online_stores.features.permissions.ml_engineers", "CAN_USE"),
    ("feature-table grant that is not a table privilege", PROJECT, "          readers: [SELECT]\n",
     "          readers: [USE_SCHEMA]\n", "          readers: [USE_SCHEMA]", f"{TABLE}.grants.readers[0]",
     "not valid on a table"),
    ("unknown feature table looked up", PROJECT, "feature_tables: [customer_features]",
     "feature_tables: [customer_featurez]", "feature_tables: [customer_featurez]",
     "serving.endpoints.churn.entities.champion.feature_tables[0]", "unknown feature table 'customer_featurez'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_feature_config_error_is_exit_2_with_file_line_and_key(config_copy: Path, tmp_path: Path, case) -> None:
    _, rel, old, new, marker, key, fragment = case
    path = config_copy / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    assert_refused(run, before, outdir, f"{path}:{_line(path, marker)}", key, fragment)


def test_a_project_without_online_needs_no_store(config_copy: Path, tmp_path: Path) -> None:
    """Switching off: online: false everywhere and no store in any environment synthesizes."""
    project = config_copy / PROJECT
    text = project.read_text().replace("online: true ", "online: false ")
    text = text.replace("              feature_tables: [customer_features]   # the model looks these features up online\n", "")
    project.write_text(text)
    for env in ("staging", "prod"):
        path = config_copy / f"environments/{env}.yaml"
        path.write_text(path.read_text().split("# Online store for feature lookup")[0])
    run = run_cli(config_copy, tmp_path / "out")
    assert run.code == 0, run.err
    found = set()
    for env in ("dev", "staging", "prod"):
        body = (tmp_path / "out" / "stacks" / env / "cdk.tf.json").read_text()
        assert "databricks_database_" not in body
        doc = json.loads(body)
        found |= {f"{env} {rtype}.{address}" for rtype, resources in doc["resource"].items() for address in resources}
        found |= {f"{env} data.{rtype}.{address}" for rtype, resources in doc.get("data", {}).items()
                  for address in resources}
    golden = set((GOLDEN / "per-environment" / "addresses.txt").read_text().split("\n")) - {""}
    online = {line for line in golden if "online_store_" in line or "synced_table_" in line}
    assert online and found == golden - online  # no other address changes

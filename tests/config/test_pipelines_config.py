"""pipelines: config: defaults, and every Bad-input rule of docs/pipelines.md through the CLI
(exit 2, file:line key, nothing written). No jsii: config fails before any binding loads.

Each case edits the shipped churn project's `pipelines.ingest` in a copy of config/."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tools import cli
from platform_config import load_platform
from platform_config.pipelines import development_mode, pipeline_name
from support import EXAMPLE_CONFIG, line_of

CHURN = Path("projects") / "churn.yaml"


def _edit(config: Path, old: str, new: str, count: int = 1) -> Path:
    path = config / CHURN
    text = path.read_text()
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count))
    return path


def _run(config: Path, tmp_path: Path, capsys) -> str:
    out = tmp_path / "cdktf.out"
    assert cli.main(["synth", "--config", str(config), "--outdir", str(out)]) == 2
    assert not out.exists(), "nothing may be written on bad input"
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was written" in err
    return err


def _expect(err: str, path: Path, line: int, key: str, text: str) -> None:
    wanted = f"{path}:{line} {key}: "
    hits = [row for row in err.splitlines() if wanted in row]
    assert hits, f"no error at {wanted!r}; got:\n{err}"
    assert any(text in row for row in hits), hits


def test_shipped_example_resolves_per_environment():
    platform = load_platform(EXAMPLE_CONFIG)
    for env, development in (("dev", True), ("staging", False), ("prod", False)):
        target = next(t for t in platform.targets[env] if t.project.name == "churn")
        ingest = target.project.pipelines["ingest"]
        assert development_mode(target.env, ingest) is development
        assert pipeline_name(target.env, target.project, "ingest") == (
            "churn-ingest-pipeline" if env == "prod" else f"{env}-churn-ingest-pipeline")
        assert ingest.serverless and ingest.orchestration.feature_engineering
        assert sorted(ingest.ingest) == ["crm_customers", "product_usage"]
        assert ingest.run_as == (None if env == "dev" else "job_runners")


def test_continuous_with_a_job_is_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "    tags:\n      layer: bronze\n", "    tags:\n      layer: bronze\n    continuous: true\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "    orchestration:", after="pipelines:"),
            "pipelines.ingest.orchestration", "continuous pipeline")


def test_development_in_prod_needs_a_reason(config_copy, tmp_path, capsys):
    old = "  prod:\n    pipelines:\n      ingest:\n        run_as: job_runners\n"
    path = _edit(config_copy, old, old + "        development: true\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "        development: true"), "pipelines.ingest.development",
            "development mode in environment 'prod' (pipelines.development: false) needs development_reason")
    assert "environment 'staging'" not in err  # only where it is asked for


def test_development_in_prod_with_a_reason_is_accepted(config_copy):
    old = "  prod:\n    pipelines:\n      ingest:\n        run_as: job_runners\n"
    _edit(config_copy, old, old + "        development: true\n        development_reason: INC-42 debugging a "
                                  "backfill, reverted after the incident\n")
    prod = next(t for t in load_platform(config_copy).targets["prod"] if t.project.name == "churn")
    assert development_mode(prod.env, prod.project.pipelines["ingest"]) is True


def test_unknown_volume_key_is_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "        volume: raw_extracts                     #",
                 "        volume: raw_extract                      #")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "volume: raw_extract  "), "pipelines.ingest.ingest.crm_customers.volume",
            "unknown volume 'raw_extract' (the project's volumes: raw_extracts)")


def test_format_auto_loader_does_not_read_is_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "        format: csv\n", "        format: xlsx\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "format: xlsx"), "pipelines.ingest.ingest.crm_customers.format",
            "Auto Loader does not read format 'xlsx'")


@pytest.mark.parametrize("library, message", [
    ("notebook: pipelines/ingest_churn.py", "names a file: use `file: pipelines/ingest_churn.py`"),
    ("file: pipelines/ingest_churn", "must be a .py or .sql source file"),
    ("glob: pipelines/*.py", "only a trailing '/**'"),
    ("file: /Volumes/mlops_dev/churn_features/code/ingest.py", "not cloud storage or volumes"),
])
def test_library_path_of_the_wrong_kind_is_refused(config_copy, tmp_path, capsys, library, message):
    path = _edit(config_copy, "      - file: pipelines/ingest_churn.py", f"      - {library}")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, f"      - {library}"), "pipelines.ingest.libraries[0]", message)


def test_relative_library_without_git_source_or_root_is_refused(config_copy, tmp_path, capsys):
    _edit(config_copy, "    jobs:                            # schedules are paused",
          "    jobs:\n      git_source: null                            # schedules are paused")
    path = config_copy / CHURN
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "      - file: pipelines/ingest_churn.py"),
            "pipelines.ingest.libraries[0].file", "needs jobs.git_source")


def test_expectations_on_a_table_no_source_writes_are_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "      product_usage:\n        valid_customer_id:",
                 "      usage_events:\n        valid_customer_id:")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "      usage_events:"), "pipelines.ingest.expectations.usage_events",
            "no source of this pipeline writes table 'usage_events' (ingest tables: crm_customers, product_usage)")


@pytest.mark.parametrize("rule, key, message", [
    ('{expression: "  ", action: drop}', "expression", "needs a SQL boolean expression"),
    ('{expression: "customer_id > 0", action: quarantine}', "action", "unknown expectation action 'quarantine'"),
])
def test_bad_expectation_is_refused(config_copy, tmp_path, capsys, rule, key, message):
    old = '        valid_customer_id: {expression: "customer_id IS NOT NULL", action: drop}\n'
    path = _edit(config_copy, old, f"        valid_customer_id: {rule}\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, f"valid_customer_id: {rule}"),
            f"pipelines.ingest.expectations.crm_customers.valid_customer_id.{key}", message)


def test_expectation_shorthand_is_a_warning(config_copy):
    old = '        known_contract: {expression: "contract_type IN (\'monthly\', \'annual\', \'two_year\')", action: warn}\n'
    _edit(config_copy, old, '        known_contract: "contract_type IS NOT NULL"\n')
    dev = next(t for t in load_platform(config_copy).targets["dev"] if t.project.name == "churn")
    rule = dev.project.pipelines["ingest"].expectations["crm_customers"]["known_contract"]
    assert (rule.expression, rule.action) == ("contract_type IS NOT NULL", "warn")


def test_duplicate_expectation_name_is_refused(config_copy, tmp_path, capsys):
    old = '        valid_customer_id: {expression: "customer_id IS NOT NULL", action: drop}\n'
    path = _edit(config_copy, old, old + '        valid_customer_id: "customer_id > 0"\n')
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, 'valid_customer_id: "customer_id > 0"'),
            "pipelines.ingest.expectations.crm_customers.valid_customer_id", "duplicate key")


def test_duplicate_pipeline_name_after_the_naming_rule_is_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "pipelines:\n  ingest:\n", "pipelines:\n  raw:\n    name: churn-ingest-pipeline\n"
                 "    schema: features\n    libraries: [{file: pipelines/raw.py}]\n  ingest:\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "    name: churn-ingest-pipeline"), "pipelines.raw.name",
            "pipeline name 'dev-churn-ingest-pipeline' (after the naming rule) is also the name of pipelines.ingest")


def test_duplicate_pipeline_name_across_projects_is_refused(config_copy, tmp_path, capsys):
    other = config_copy / "projects" / "other.yaml"
    other.write_text("name: other\nowner: o@example.com\nschemas: {models: {}}\njobs:\n"
                     "  workspace_root: /Workspace/Shared/other\n"
                     "pipelines:\n  ingest:\n    name: churn-ingest-pipeline\n    schema: models\n"
                     "    libraries: [{notebook: ingest}]\n"
                     "environments:\n  staging: {pipelines: {ingest: {run_as: job_runners}}}\n"
                     "  prod: {pipelines: {ingest: {run_as: job_runners}}}\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, other, 8, "pipelines.ingest.name",
            "pipeline name 'dev-churn-ingest-pipeline' in environment 'dev' is also a pipeline of project 'churn'")


def test_pipeline_rules_needing_roles_and_policies(config_copy, tmp_path, capsys):
    old = "    permissions:\n      churn_team: CAN_MANAGE\n      ml_engineers: CAN_RUN\n"
    path = _edit(config_copy, old, "    serverless: false\n    cluster: {policy: no-such-policy}\n"
                                   "    permissions:\n      churn_team: IS_OWNER\n      ml_engineers: CAN_RUN\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "churn_team: IS_OWNER"), "pipelines.ingest.permissions.churn_team",
            "IS_OWNER must be exactly one user or service principal")
    _expect(err, path, line_of(path, "cluster: {policy: no-such-policy}"), "pipelines.ingest.cluster.policy",
            "unknown cluster policy 'no-such-policy'")


def test_run_as_required_where_the_environment_requires_it(config_copy, tmp_path, capsys):
    old = "  prod:\n    pipelines:\n      ingest:\n        run_as: job_runners\n"
    path = _edit(config_copy, old, "  prod:\n")
    err = _run(config_copy, tmp_path, capsys)
    assert "pipelines.ingest: environment 'prod' sets require_job_run_as" in err
    assert str(path) in err


def test_reserved_configuration_keys_are_refused(config_copy, tmp_path, capsys):
    path = _edit(config_copy, "    tags:\n      layer: bronze\n",
                 "    tags:\n      layer: bronze\n    configuration:\n      mlops.ingest.tables: x\n")
    err = _run(config_copy, tmp_path, capsys)
    _expect(err, path, line_of(path, "    configuration:"), "pipelines.ingest.configuration",
            "keys under 'mlops.' are set by the platform")

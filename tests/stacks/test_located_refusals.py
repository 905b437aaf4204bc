"""Issue 11 item 4: a construct refusal that can still happen is reported with the config
location it came from: `file:line <unit key>: <message> (<construct path>)`, exit 2, no
traceback, the previous cdktf.out untouched.

No construct of the shipped example refuses a config the config layer accepts (that is the
point of the config checks), so each test makes one construct refuse: it wraps the construct's
constructor with an extra rule that raises the product's ConstructError for one unit."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from databricks_spec.diagnostics import ConstructError, Diagnostic
from mlops_tools import cli
from support import previous_outdir, snapshot

PROJECT = "projects/churn.yaml"


def run_cli(config: Path, outdir: Path, capsys) -> tuple[int, str]:
    code = cli.main(["synth", "--config", str(config), "--outdir", str(outdir)])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def assert_refused(code: int, err: str, before: dict, outdir: Path, where: str, key: str, fragment: str) -> str:
    """Exit 2, no traceback, the previous outdir byte-identical; returns the error line."""
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    hits = [line for line in err.splitlines()
            if line.startswith(f"error: {where} {key}: ") and fragment in line]
    assert len(hits) == 1, f"no error at {where} {key} with {fragment!r} in:\n{err}"
    assert snapshot(outdir) == before
    return hits[0]


def _line(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after)) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if line.split("#")[0].strip() == needle)


def _refuse(monkeypatch, module: str, cls: str, when, key: str = "") -> None:
    """Make ``module.cls`` refuse (after building) whenever ``when(props)`` holds."""
    construct = getattr(importlib.import_module(module), cls)
    original = construct.__init__

    def refusing(self, scope, id, props, *args, **kwargs):
        original(self, scope, id, props, *args, **kwargs)
        if when(props):
            raise ConstructError(self, "refused by the test's rule", key=key)

    monkeypatch.setattr(construct, "__init__", refusing)


@pytest.mark.parametrize("module, cls, when, file, key, needle, after, construct_path", [
    ("mlops_constructs.serving_endpoint", "ServingEndpoint", lambda p: p.name == "dev-churn",
     PROJECT, "serving.endpoints.churn", "churn:", "serving:", "dev/churn/serving_churn"),
    ("mlops_constructs.training_job", "ModelTrainingJob", lambda p: p.env_name == "staging",
     PROJECT, "jobs.training", "training:", "jobs:", "staging/churn/training_job"),
    ("mlops_constructs.schema", "UcSchema", lambda p: p.name == "churn_features",
     PROJECT, "schemas.features", "features:", "schemas:", "dev/churn/schema_features"),
    ("mlops_constructs.pipeline", "LakeflowPipeline", lambda p: p.name == "dev-churn-ingest-pipeline",
     PROJECT, "pipelines.ingest", "ingest:", "pipelines:", "dev/churn/pipeline_ingest"),
    ("mlops_constructs.git_folder", "GitFolder", lambda p: True,
     PROJECT, "jobs.git_source", "git_source:", "jobs:", "dev/churn/pipeline_code"),
    ("mlops_constructs.feature_table", "FeatureTable", lambda p: True, PROJECT,
     "jobs.feature_engineering.tables.customer_features", "customer_features:", "  feature_engineering:",
     "dev/churn/feature_table_customer_features"),
    # an environment's shared units: located in the environment's file
    ("mlops_constructs.online_store", "OnlineStore", lambda p: True,
     "environments/prod.yaml", "online_stores.features", "features:", "online_stores:",
     "prod/platform/online_store_features"),
    ("mlops_constructs.catalog", "UcCatalog", lambda p: p.name == "mlops_prod",
     "environments/prod.yaml", "catalog", "catalog:", None, "prod/platform/catalog"),
    ("mlops_constructs.secret_scope", "SecretScopeUnit", lambda p: True,
     "environments/dev.yaml", "secret_scopes.mlops", "mlops:", "secret_scopes:", "dev/platform/secret_scope_mlops"),
])
def test_construct_refusal_names_the_config_location(config_copy: Path, tmp_path: Path, monkeypatch, capsys,
                                                     module, cls, when, file, key, needle, after,
                                                     construct_path) -> None:
    _refuse(monkeypatch, module, cls, when)
    path = config_copy / file
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    code, err = run_cli(config_copy, outdir, capsys)
    line = assert_refused(code, err, before, outdir, f"{path}:{_line(path, needle, after)}", key,
                          "refused by the test's rule")
    assert line.endswith(f"refused by the test's rule ({construct_path})"), line


def test_the_construct_key_is_kept_in_the_message(config_copy: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    _refuse(monkeypatch, "mlops_constructs.serving_endpoint", "ServingEndpoint", lambda p: True,
            key="served_entities[0].name")
    path = config_copy / PROJECT
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    code, err = run_cli(config_copy, outdir, capsys)
    line = assert_refused(code, err, before, outdir, f"{path}:{_line(path, 'churn:', 'serving:')}",
                          "serving.endpoints.churn", "served_entities[0].name: refused by the test's rule")
    assert "(dev/churn/serving_churn)" in line


def test_unlocated_construct_error_keeps_its_shape() -> None:
    """Outside the stacks (a construct built alone) the diagnostic names the construct only."""
    class Node:
        path = "dev/churn/serving_churn"

    class Fake:
        node = Node()

    error = ConstructError(Fake(), "bad name", key="name")
    assert str(error) == "dev/churn/serving_churn name: bad name"
    error.at("config/projects/churn.yaml", 61, "serving.endpoints.churn")
    error.at("config/projects/churn.yaml", 1, "name")  # the innermost unit's location is kept
    assert str(error) == "config/projects/churn.yaml:61 serving.endpoints.churn: name: bad name (dev/churn/serving_churn)"
    assert error.diagnostics == [Diagnostic("config/projects/churn.yaml", 61, "serving.endpoints.churn",
                                            "name: bad name", construct_path="dev/churn/serving_churn")]

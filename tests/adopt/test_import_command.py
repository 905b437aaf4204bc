"""``mlops import`` end to end: offline ids (``--id`` and the file), ids looked up with
databricks-sdk against a local fake workspace on 127.0.0.1, and bad input (exit 2, nothing
written)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from fake_workspace import FakeWorkspaceServer, Workspace

from mlops_tools.cli import main
from mlops_tools.importer import StackResource
from mlops_tools.importer_file import imports_path, read_imports_file
from mlops_tools.importer_lookup import LookupError_, lookup, resolved_value
from support import EXAMPLE_CONFIG

TOKEN = "dapi-fake-0123456789abcdef"
CREDENTIALS = ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE")


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    dest = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, dest)
    return dest


def _entries(config: Path, env: str = "dev") -> dict[str, str | None]:
    return {e.key: e.id for e in read_imports_file(imports_path(config, env))}


def test_ids_given_offline_are_written_and_kept(config, capsys):
    assert main(["import", "--config", str(config), "--env", "dev", "--id", "churn.jobs.training=123456789",
                 "--id", "catalog=mlops_dev", "-v"]) == 0
    out = capsys.readouterr()
    assert _entries(config) == {"catalog": "mlops_dev", "churn.jobs.training": "123456789"}
    assert "databricks_job.churn_training_job_8DF4A991" in out.out
    assert 'import {\n  to = databricks_catalog.platform_catalog_D2537C63\n  id = "mlops_dev"\n}' in out.out
    assert "2 import(s) written to" in out.err
    before = imports_path(config, "dev").read_bytes()
    # a second run keeps the file's entries and adds the new one; --dry-run writes nothing
    assert main(["import", "--config", str(config), "--env", "dev", "--id", "churn.model=mlops_dev.churn_models.churn_model",
                 "--dry-run"]) == 0
    assert imports_path(config, "dev").read_bytes() == before
    assert main(["import", "--config", str(config), "--env", "dev",
                 "--id", "churn.model=mlops_dev.churn_models.churn_model"]) == 0
    assert _entries(config) == {"catalog": "mlops_dev", "churn.jobs.training": "123456789",
                                "churn.model": "mlops_dev.churn_models.churn_model"}


def test_bad_input_is_exit_2_and_leaves_the_file_unchanged(config, capsys):
    path = imports_path(config, "dev")
    path.parent.mkdir()
    path.write_text("imports:\n  churn.jobs.training: '123'\n")
    before = path.read_bytes()
    code = main(["import", "--config", str(config), "--env", "dev",
                 "--id", "churn.jobs.trainnig=5",                              # no such resource
                 "--id", "churn.schemas.features=churn_features",              # not <catalog>.<schema>
                 "--id", "databricks_job.churn_training_job_8DF4A991=999",     # the job again
                 "--id", "churn.jobs.retraining=123",                          # the same job object twice
                 "--id", "churn.experiment"])                                  # no id, no credentials
    err = capsys.readouterr().err
    assert code == 2
    assert path.read_bytes() == before
    assert "--id churn.jobs.trainnig: no resource 'churn.jobs.trainnig' in the stacks of environment dev " \
           "(did you mean: churn.jobs.training" in err
    assert "--id churn.schemas.features: databricks_schema.churn_schema_features_274A7A24: id 'churn_features' " \
           "has 1 dot-separated part(s), not 2" in err
    assert ("duplicate import of databricks_job.churn_training_job_8DF4A991: already imported by "
            f"'churn.jobs.training' ({path}:2)") in err
    assert "duplicate import: databricks_job '123' is already imported into" in err
    assert "Traceback" not in err
    # once the rest is fixed, an id that can only be looked up needs credentials
    code = main(["import", "--config", str(config), "--env", "dev", "--id", "churn.experiment"])
    err = capsys.readouterr().err
    assert code == 2 and "no id, and no credentials to look it up" in err
    assert main(["import", "--config", str(config), "--env", "qa"]) == 2
    assert "unknown environment: qa" in capsys.readouterr().err


def _dev_workspace() -> Workspace:
    return Workspace(catalogs={"mlops_dev"}, schemas={"mlops_dev.churn_features", "mlops_dev.churn_models"},
                     models={"mlops_dev.churn_models.churn_model"}, endpoints={"dev-churn"},
                     experiments={"/Shared/mlops/dev-churn/churn-experiment": "4242"},
                     jobs=[(1111, "dev-churn-training-job"), (3333, "someone-elses-job")],
                     warehouses={"dev-default-warehouse": "0123456789abcdef"},
                     policies={"dev-ml-jobs": "ABCDEF0123456789"})


def test_credentials_look_every_object_up_by_its_resolved_name(config, monkeypatch, capsys):
    workspace = _dev_workspace()
    with FakeWorkspaceServer(workspace) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        # the credentials point at another host than the environment's workspace: refused
        assert main(["import", "--config", str(config), "--env", "dev", "--all"]) == 2
        err = capsys.readouterr().err
        assert "this environment deploys to https://adb-1111111111111111.11.azuredatabricks.net" in err
        assert not imports_path(config, "dev").exists()
        assert main(["import", "--config", str(config), "--env", "dev", "--all", "--allow-other-workspace"]) == 0
    out = capsys.readouterr()
    assert _entries(config) == {
        "catalog": "mlops_dev",
        "churn.schemas.features": "mlops_dev.churn_features",
        "churn.schemas.models": "mlops_dev.churn_models",
        "churn.model": "mlops_dev.churn_models.churn_model",
        "churn.serving.endpoints.churn": "dev-churn",
        "churn.experiment": "4242",
        "churn.jobs.training": "1111",
        "sql_warehouses.default": "0123456789abcdef",
        "compute.cluster_policies.ml-jobs": "ABCDEF0123456789",
    }
    assert "not in the workspace (will be created): churn.volumes.raw_extracts (mlops_dev.churn_features.raw_extracts)" \
           in out.out
    paths = [p for _, p, _ in workspace.requests]
    assert "/api/2.1/unity-catalog/schemas/mlops_dev.churn_features" in paths  # the resolved catalog reference
    assert ("GET", "/api/2.2/jobs/list", {"name": ["dev-churn-training-job"]}) in workspace.requests
    assert workspace.authorization and all(a == f"Bearer {TOKEN}" for a in workspace.authorization)
    assert TOKEN not in out.out + out.err


def test_an_object_the_workspace_lacks_is_exit_2_when_asked_for_by_name(config, monkeypatch, capsys):
    with FakeWorkspaceServer(Workspace()) as server:
        monkeypatch.setenv("DATABRICKS_HOST", server.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        code = main(["import", "--config", str(config), "--env", "dev", "--id", "churn.jobs.training",
                     "--allow-other-workspace"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--id churn.jobs.training: databricks_job.churn_training_job_8DF4A991: the workspace has no " \
           "databricks_job named 'dev-churn-training-job'" in err
    assert not imports_path(config, "dev").exists()


# ----------------------------------------------------------------------------- lookups (no synth)

def _resource(rtype: str, logical_id: str, **attributes) -> StackResource:
    return StackResource("dev", rtype, logical_id, f"p/{logical_id}", attributes)


def test_two_jobs_of_one_name_are_ambiguous():
    job = SimpleNamespace(job_id=1, settings=SimpleNamespace(name="j"))
    client = SimpleNamespace(jobs=SimpleNamespace(list=lambda name: [job, job]))
    with pytest.raises(LookupError_, match="2 jobs are named 'j'"):
        lookup(client, _resource("databricks_job", "x", name="j"), {})


def test_references_are_followed_and_unknown_values_refused():
    catalog = _resource("databricks_catalog", "c", name="mlops_dev")
    resources = {catalog.address: catalog}
    assert resolved_value("${databricks_catalog.c.name}", resources) == "mlops_dev"
    assert resolved_value("plain", resources) == "plain"
    assert resolved_value("${databricks_catalog.c.id}", resources) is None
    assert resolved_value("prefix-${var.x}", resources) is None
    schema = _resource("databricks_schema", "s", catalog_name="${databricks_job.j.id}", name="s")
    with pytest.raises(LookupError_, match="catalog_name is only known after apply"):
        lookup(SimpleNamespace(), schema, resources)

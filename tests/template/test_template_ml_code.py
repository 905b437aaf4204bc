"""The project template's ML code, rendered as `mlops new-project` writes it: its own unit tests
pass (pure Python, synthetic data, no Spark or MLflow), and the thin task scripts run their
main() against small fakes of Spark, dbutils and MLflow (the calls they make, nothing more)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from mlops_tools import new_project

SCRIPTS = ("feature_engineering", "train", "validate", "deploy", "batch_inference", "compute_drift_metric")


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> Path:
    """projects/demo as the command renders it."""
    root = tmp_path_factory.mktemp("template") / "projects" / "demo"
    for relative, text in new_project.code_files("demo").items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_the_templates_own_tests_pass(code) -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=code,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    collected = sum(len(re.findall(r"^def test_", p.read_text(), re.M)) for p in (code / "tests").glob("test_*.py"))
    assert passed and int(passed.group(1)) >= collected >= 20, result.stdout[-2000:]
    assert "failed" not in result.stdout and "skipped" not in result.stdout


def test_a_broken_rule_fails_the_templates_tests(code, tmp_path) -> None:
    """The template's tests really exercise its code: break the validation rule, they fail."""
    import shutil

    broken = tmp_path / "demo"
    shutil.copytree(code, broken)
    path = broken / "src" / "mlcore" / "validation.py"
    path.write_text(path.read_text().replace("value >= limit if bound", "value <= limit if bound"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=broken,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "failed" in result.stdout


def test_the_code_compiles_and_imports_nothing_heavy_at_module_level(code) -> None:
    for path in sorted(code.rglob("*.py")):
        compile(path.read_text(), str(path), "exec")
    heavy = re.compile(r"^(import|from) (mlflow|pyspark|pandas|sklearn|databricks)\b", re.M)
    light = [p for p in (code / "src" / "mlcore").glob("*.py") if p.name != "pyfunc_model.py"]
    light += [code / "src" / f"{s}.py" for s in SCRIPTS] + [code / "src" / "_entry.py"]
    assert [str(p) for p in light if heavy.search(p.read_text())] == []


# ------------------------------------------------------------------ the task scripts against fakes

class Row(dict):
    def asDict(self) -> dict:  # noqa: N802 - pyspark's Row API
        return dict(self)


class FakeFrame:
    """What the scripts use of a Spark DataFrame (and, for pandas, of a DataFrame)."""

    def __init__(self, rows):
        self.rows = [dict(r) for r in rows]

    def where(self, condition):
        column = condition.split()[0]
        return FakeFrame(r for r in self.rows if r.get(column) is not None)

    def select(self, *columns):
        return FakeFrame({c: r.get(c) for c in columns} for r in self.rows)

    def collect(self):
        return [Row(r) for r in self.rows]

    def to_dict(self, orient):
        assert orient == "records"
        return [dict(r) for r in self.rows]


class FakeSpark:
    def __init__(self, tables):
        self.tables, self.statements = tables, []
        self.catalog = types.SimpleNamespace(tableExists=lambda name: name in self.tables)

    def table(self, name):
        return FakeFrame(self.tables[name])

    def sql(self, statement):
        self.statements.append(statement)
        return FakeFrame(self.tables.get("sql", []))


class FakeRegistry:
    """mlflow's model registry: versions with their run and aliases; models predict with mlcore."""

    def __init__(self, versions: dict[str, object], run_params: dict[str, str]):
        self.versions, self.run_params, self.aliases, self.metrics = versions, run_params, {}, {}

    def module(self):
        registry = self

        class Client:
            def get_model_version(self, name, version):
                return types.SimpleNamespace(version=version, run_id="run-1")

            def get_run(self, run_id):
                return types.SimpleNamespace(data=types.SimpleNamespace(params=registry.run_params))

            def get_model_version_by_alias(self, name, alias):
                if alias not in registry.aliases:
                    raise LookupError(f"alias {alias} not found")
                return types.SimpleNamespace(version=registry.aliases[alias])

            def log_metric(self, run_id, key, value):
                registry.metrics[key] = value

            def set_registered_model_alias(self, name, alias, version):
                registry.aliases[alias] = version

        def load_model(uri):
            ref = uri.split("/")[-1]
            version = registry.aliases[ref.split("@")[1]] if "@" in ref else ref
            model = registry.versions[version]
            return types.SimpleNamespace(predict=lambda frame: model.predict_proba(frame.to_dict("records")))

        mlflow = types.ModuleType("mlflow")
        mlflow.set_registry_uri = lambda uri: None
        mlflow.MlflowClient = Client
        mlflow.pyfunc = types.SimpleNamespace(load_model=load_model)
        return mlflow


@pytest.fixture
def scripts(code, monkeypatch):
    """Import a task script of the rendered code with its parameters; returns (module, task values)."""
    monkeypatch.syspath_prepend(str(code / "src"))
    for name in [m for m in sys.modules if m in SCRIPTS or m == "_entry" or m.split(".")[0] == "mlcore"]:
        monkeypatch.delitem(sys.modules, name)
    values: dict[str, object] = {}

    def load(script: str, params: dict[str, str], spark: FakeSpark, mlflow=None):
        entry = importlib.import_module("_entry")
        monkeypatch.setattr(sys, "argv", [f"{script}.py", *[f"--{k}={v}" for k, v in sorted(params.items())]])
        monkeypatch.setattr(entry, "spark", lambda: spark)
        monkeypatch.setattr(entry, "set_task_value", values.__setitem__)
        pandas = types.ModuleType("pandas")
        pandas.DataFrame = FakeFrame
        monkeypatch.setitem(sys.modules, "pandas", pandas)
        if mlflow is not None:
            monkeypatch.setitem(sys.modules, "mlflow", mlflow)
        return importlib.import_module(script)

    load.values = values
    return load


def test_every_script_imports_with_only_the_standard_library(scripts) -> None:
    for script in SCRIPTS:
        assert callable(scripts(script, {}, FakeSpark({})).main)


def test_compute_drift_metric_sets_the_latest_windows_max(scripts) -> None:
    table = "mlops_dev.demo_monitoring.predictions_drift_metrics"
    rows = [{"window_end": 1, "column_name": "probability", "slice_key": None, "js_distance": 0.5},
            {"window_end": 2, "column_name": "probability", "slice_key": None, "js_distance": 0.25},
            {"window_end": 2, "column_name": "prediction", "slice_key": None, "js_distance": 0.1}]
    spark = FakeSpark({table: [], "sql": rows})
    params = {"drift_metrics_table": table, "drift_metric_column": "js_distance", "drift_threshold": "0.2",
              "drift_comparison": "GREATER_THAN", "task_value_key": "drift_metric", "env": "dev",
              "model_name": "mlops_dev.demo_models.demo_model"}
    scripts("compute_drift_metric", params, spark).main()
    assert scripts.values == {"drift_metric": 0.25}
    assert "`js_distance`" in spark.statements[0] and f"`{table.replace('.', '`.`')}`" in spark.statements[0]

    scripts("compute_drift_metric", params, FakeSpark({})).main()  # no monitor output yet
    assert scripts.values == {"drift_metric": 0.0}


def _trained(code):
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_template_conftest", code / "tests" / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    synthetic_records = conftest.synthetic_records
    from mlcore.features import compute_features
    from mlcore.model import fit, split

    rows = compute_features(synthetic_records())
    return rows, fit(split(rows)[0])


@pytest.mark.parametrize("mode, thresholds, promoted, exit_code", [
    ("enabled", {"roc_auc": {"min": 0.6}, "log_loss": {"max": 0.69}}, True, 0),
    ("enabled", {"roc_auc": {"min": 0.99}}, False, 1),
    ("dry_run", {"roc_auc": {"min": 0.99}}, True, 0),
])
def test_validate_marks_the_challenger_by_the_thresholds_of_its_parameter(code, scripts, capsys, mode, thresholds,
                                                                          promoted, exit_code) -> None:
    module = scripts("validate", {}, FakeSpark({}))  # imports mlcore from the rendered code
    rows, model = _trained(code)
    registry = FakeRegistry({"1": model}, {"training_data": "mlops_dev.demo_features.record_features"})
    params = {"model_name": "mlops_dev.demo_models.demo_model", "model_version": "1", "run_mode": mode,
              "challenger_alias": "challenger", "champion_alias": "champion", "enable_baseline_comparison": "true",
              "validation_thresholds": json.dumps(thresholds), "env": "dev"}
    module = scripts("validate", params, FakeSpark({"mlops_dev.demo_features.record_features": rows}),
                     registry.module())
    assert module.main() == exit_code
    assert registry.aliases == ({"challenger": "1"} if promoted else {})
    assert set(registry.metrics) == {"validation_accuracy", "validation_log_loss", "validation_roc_auc"}
    out = capsys.readouterr()
    assert ("FAIL roc_auc >= 0.99" in out.out) == (exit_code == 1 or mode == "dry_run")


def test_validate_compares_with_the_champion_and_deploy_promotes(code, scripts) -> None:
    scripts("validate", {}, FakeSpark({}))
    rows, model = _trained(code)
    from mlcore.model import LogisticModel

    worse = LogisticModel(model.features, model.means, model.scales, tuple(-w for w in model.weights), -model.bias)
    registry = FakeRegistry({"1": model, "2": worse}, {"training_data": "t.s.features"})
    registry.aliases["champion"] = "1"
    params = {"model_name": "c.s.m", "model_version": "2", "run_mode": "enabled", "challenger_alias": "challenger",
              "champion_alias": "champion", "enable_baseline_comparison": "true", "validation_thresholds": "{}"}
    module = scripts("validate", params, FakeSpark({"t.s.features": rows}), registry.module())
    assert module.main() == 1 and "challenger" not in registry.aliases  # worse than the champion

    registry.aliases["challenger"] = "2"
    deploy = {"model_name": "c.s.m", "model_version": "2", "challenger_alias": "challenger",
              "champion_alias": "champion"}
    scripts("deploy", deploy, FakeSpark({}), registry.module()).main()
    assert registry.aliases["champion"] == "2"
    with pytest.raises(ValueError, match="not the challenger"):
        scripts("deploy", {**deploy, "model_version": "3"}, FakeSpark({}), registry.module()).main()


def test_train_tracks_the_run_registers_the_model_and_sets_the_version(code, scripts) -> None:
    from contextlib import nullcontext

    scripts("train", {}, FakeSpark({}))
    rows, _ = _trained(code)
    calls: dict[str, object] = {}

    class PythonModel:  # mlflow.pyfunc.PythonModel
        pass

    def log_model(artifact_path, **kwargs):
        calls["log_model"] = (artifact_path, kwargs)
        return types.SimpleNamespace(registered_model_version=7)

    mlflow = types.ModuleType("mlflow")
    mlflow.set_registry_uri = lambda uri: calls.setdefault("registry", uri)
    mlflow.set_experiment = lambda name: calls.setdefault("experiment", name)
    mlflow.start_run = lambda **kwargs: nullcontext()
    mlflow.log_params = lambda params: calls.setdefault("params", params)
    mlflow.log_metrics = lambda metrics: calls.setdefault("metrics", metrics)
    mlflow.pyfunc = types.ModuleType("mlflow.pyfunc")
    mlflow.pyfunc.PythonModel, mlflow.pyfunc.log_model = PythonModel, log_model
    mlflow.models = types.ModuleType("mlflow.models")
    mlflow.models.infer_signature = lambda inputs, outputs: ("signature", len(outputs))
    for name, module in (("mlflow.pyfunc", mlflow.pyfunc), ("mlflow.models", mlflow.models)):
        sys.modules[name] = module
    try:
        params = {"model_name": "mlops_dev.demo_models.demo_model", "env": "dev",
                  "experiment_name": "/Shared/mlops/dev-demo/demo-experiment",
                  "training_data": "mlops_dev.demo_features.record_features"}
        module = scripts("train", params, FakeSpark({"mlops_dev.demo_features.record_features": rows}), mlflow)
        module.main()
    finally:
        for name in ("mlflow.pyfunc", "mlflow.models", "mlcore.pyfunc_model"):
            sys.modules.pop(name, None)
    assert calls["registry"] == "databricks-uc" and calls["experiment"] == params["experiment_name"]
    assert calls["params"]["training_data"] == params["training_data"]
    assert calls["metrics"]["holdout_roc_auc"] > 0.8
    artifact, kwargs = calls["log_model"]
    assert kwargs["registered_model_name"] == params["model_name"]
    assert kwargs["code_paths"] == [str(code / "src" / "mlcore")]
    assert kwargs["signature"] == ("signature", 5)
    wrapped = kwargs["python_model"]  # the pyfunc model scores feature rows like the trained model
    probabilities = wrapped.predict(None, FakeFrame(rows[:3]))
    assert len(probabilities) == 3 and all(0.0 < p < 1.0 for p in probabilities)
    assert scripts.values == {"model_version": "7"}

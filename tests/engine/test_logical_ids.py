"""mlops_engine.logical_ids against the engine itself: the id computed in Python for a construct
path is the id the engine allocates for an element at that path, and a flat unit's elements
get, after ``with_unit_paths``, byte for byte the JSON of the same elements in a construct tree."""

from __future__ import annotations

import json

import cdktf
import pytest
from constructs import Construct

from mlops_constructs.unit import FlatUnit, located, unit_paths
from mlops_engine.databricks import MlflowExperiment
from mlops_engine.logical_ids import logical_id, with_unit_paths

LONG = "x" * 130
PATHS = [
    ("single",),
    ("with.dots and spaces!",),
    ("y" * 256,),                              # one component longer than 255: hashed
    ("churn", "schema_features", "Resource"),
    ("churn", "training_job", "Resource", "Resource"),
    ("churn", "Default", "model"),             # Default is dropped entirely
    ("Default", "alone"),
    ("project", "projectGrants", "Grants"),     # a component the previous one ends with: left out of the human part
    ("a-b", "c_d", "ml-engineers"),
    (LONG, LONG, "Resource"),                  # human part cut to 240 characters
    ("p", "a/b"),                              # '/' in an id is written '--'
]


def _nested(stack: Construct, parts: tuple[str, ...]) -> MlflowExperiment:
    scope = stack
    for part in parts[:-1]:
        scope = scope.node.try_find_child(part) or Construct(scope, part)
    return MlflowExperiment(scope, parts[-1], name=f"/Shared/{len(parts)}")


def test_python_ids_are_the_engine_ids(tmp_path) -> None:
    app = cdktf.Testing.app(outdir=str(tmp_path))
    stack = cdktf.TerraformStack(app, "test")
    for parts in PATHS:
        element = _nested(stack, parts)
        assert logical_id([p.replace("/", "--") for p in parts]) == element.friendly_unique_id, parts


def test_an_empty_path_has_no_id() -> None:
    with pytest.raises(ValueError):
        logical_id(["Default"])


class _Unit(FlatUnit):
    def __init__(self, scope, id: str):
        super().__init__(scope, id)
        self.resource = MlflowExperiment(*self.at("Resource"), name=f"/Shared/{id}")
        self.inner = _Inner(self, "inner")


class _Inner(FlatUnit):
    def __init__(self, scope, id: str):
        super().__init__(scope, id)
        self.resource = MlflowExperiment(*self.at("Resource"), name=f"/Shared/{id}", description="inner")


def _tree(stack: Construct) -> None:
    outer = Construct(Construct(stack, "churn"), "experiment")
    MlflowExperiment(outer, "Resource", name="/Shared/experiment")
    MlflowExperiment(Construct(outer, "inner"), "Resource", name="/Shared/inner", description="inner")


def test_flat_units_give_the_bytes_of_a_tree(tmp_path) -> None:
    """The same two elements, as a tree of constructs and as flat units under a construct
    ``churn``: the same addresses, and with the unit paths written back, the same bytes."""
    tree_app = cdktf.App(outdir=str(tmp_path / "tree"), stack_traces=False, skip_validation=True)
    _tree(cdktf.TerraformStack(tree_app, "test"))
    tree_app.synth()
    tree = (tmp_path / "tree" / "stacks" / "test" / "cdk.tf.json").read_text()

    flat_app = cdktf.App(outdir=str(tmp_path / "flat"), stack_traces=False, skip_validation=True)
    stack = cdktf.TerraformStack(flat_app, "test")
    _Unit(Construct(stack, "churn"), "experiment")
    flat_app.synth()
    flat = (tmp_path / "flat" / "stacks" / "test" / "cdk.tf.json").read_text()

    assert json.loads(flat)["resource"].keys() == json.loads(tree)["resource"].keys()
    assert sorted(json.loads(flat)["resource"]["databricks_mlflow_experiment"]) == \
        sorted(json.loads(tree)["resource"]["databricks_mlflow_experiment"])
    assert flat != tree  # the engine names each flat element by its place in the stack
    assert with_unit_paths(flat, "test", unit_paths(stack)) == tree
    assert located(stack).path == "test"


def test_only_recorded_elements_directly_in_the_stack_change() -> None:
    text = ('{\n  "//": {\n    "metadata": {\n      "path": "s/a_1",\n      "uniqueId": "a_1"\n    }\n  },\n'
            '  "x": {\n    "//": {\n      "metadata": {\n        "path": "s/n/b_2",\n        "uniqueId": "b_2"\n'
            '      }\n    }\n  }\n}')
    assert with_unit_paths(text, "s", {"a_1": "s/u/Resource", "b_2": "s/v/Resource"}) == text.replace(
        '"path": "s/a_1"', '"path": "s/u/Resource"')
    assert with_unit_paths(text, "s", {}) == text

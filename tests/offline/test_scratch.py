"""Pure helpers of the harness: backend removal keeping lines, when init is needed, version constraints."""

from __future__ import annotations

import json

import pytest

from mlops_tools.offline.harness import needs_init, scratch_text, version_allowed


def _cdktf_text(terraform: dict) -> str:
    doc = {"provider": {"databricks": [{}]}, "resource": {"databricks_job": {"j": {"name": "x"}}},
           "terraform": terraform}
    return json.dumps(doc, indent=2)


@pytest.mark.parametrize("block", [{"backend": {"local": {"path": "terraform.dev.tfstate"}}},
                                   {"cloud": {"organization": "o", "workspaces": {"name": "w"}}}])
def test_backend_is_disabled_in_place(block: dict) -> None:
    text = _cdktf_text({**block, "required_providers": {"databricks": {"source": "databricks/databricks"}}})
    scratch, config = scratch_text(text)
    assert len(scratch.splitlines()) == len(text.splitlines())
    assert [a == b for a, b in zip(scratch.splitlines(), text.splitlines())].count(False) == 1
    assert set(config["terraform"]) == {"required_providers"}
    assert json.loads(scratch)["terraform"]["//"] == next(iter(block.values()))


def test_text_without_backend_is_kept_verbatim() -> None:
    text = _cdktf_text({"required_providers": {}})
    assert scratch_text(text)[0] == text


def test_unusual_layout_is_rewritten_without_backend() -> None:
    text = json.dumps({"terraform": {"backend": {"local": {}}, "//": "comment"}, "resource": {}})
    scratch, config = scratch_text(text)
    assert "backend" not in json.loads(scratch)["terraform"] and config["terraform"] == {"//": "comment"}


def test_needs_init() -> None:
    base = {"terraform": {"required_providers": {"databricks": {"source": "databricks/databricks"}}},
            "provider": {"databricks": [{}]}, "resource": {"databricks_job": {}}, "data": {"databricks_group": {}}}
    assert not needs_init(base)
    registry = json.loads(json.dumps(base))
    registry["terraform"]["required_providers"]["databricks"]["source"] = "registry.terraform.io/databricks/databricks"
    assert not needs_init(registry)
    assert needs_init({**base, "module": {"m": {"source": "./m"}}})
    assert needs_init({**base, "resource": {"terraform_data": {}}})
    assert needs_init({**base, "provider": {"databricks": [{}], "null": [{}]}})
    other = json.loads(json.dumps(base))
    other["terraform"]["required_providers"]["databricks"]["source"] = "databrickslabs/databricks"
    assert needs_init(other)


@pytest.mark.parametrize(("constraint", "allowed"), [
    ("1.99.0", True), ("= 1.99.0", True), ("1.99.1", False), (">= 1.50", True), ("> 1.99.0", False),
    ("< 2.0.0, >= 1.0", True), ("!= 1.99.0", False), ("~> 1.99", True), ("~> 1.98", True), ("~> 1.98.0", False),
    ("~> 1.99.0", True), ("~> 1", True), ("~> 2.0", False), ("<= 1.99", True), ("<= 1.98", False), ("nonsense", False),
])
def test_version_constraints(constraint: str, allowed: bool) -> None:
    assert version_allowed("1.99.0", constraint) is allowed

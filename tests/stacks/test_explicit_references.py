"""Cross-unit references are explicit (stacks.refs.StackRefs, built once per stack):
no stack module finds units by construct id, asks a construct for its stack, reads an
attribute of a scope by name, or builds a construct path (AST scan, no jsii)."""

from __future__ import annotations

import ast
from pathlib import Path

from support import ROOT

FORBIDDEN_ATTRIBUTES = {"try_find_child", "find_child", "tryFindChild", "findChild", "find_all"}


def _problems(source: str, name: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            out.append(f"{name}:{node.lineno} .{node.attr}")
        if (isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Attribute)
                and node.value.attr == "node"):
            out.append(f"{name}:{node.lineno} .node.path")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "of"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "TerraformStack"):
            out.append(f"{name}:{node.lineno} TerraformStack.of")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            target = node.args[0] if node.args else None
            if isinstance(target, ast.Name) and target.id in ("scope", "units", "stack", "self"):
                out.append(f"{name}:{node.lineno} {node.func.id}({target.id}, ...)")
    return out


def test_stacks_use_no_tree_lookups():
    found = []
    for path in sorted((ROOT / "stacks").glob("*.py")):
        found += _problems(path.read_text(), path.name)
    assert found == []


def test_the_scan_finds_each_hidden_mechanism():
    source = (
        "from mlops_engine import TerraformStack\n"
        "def f(scope):\n"
        "    TerraformStack.of(scope).node.try_find_child('cluster_policies')\n"
        "    units = getattr(scope, 'data', None)\n"
        "    return scope.node.path\n")
    found = sorted(p.split(" ", 1)[1] for p in _problems(source, "x.py"))
    assert found == sorted(["TerraformStack.of", ".try_find_child", "getattr(scope, ...)", ".node.path"])
    assert _problems("def f(backend):\n    return backend.path\n", "y.py") == []  # a config field

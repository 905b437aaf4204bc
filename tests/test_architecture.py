"""The import contract: layers import only downwards, and no two modules import each other.

    spec <- config <- resolution <- stacks -> constructs -> spec
    constructs and stacks may import the engine; the engine imports only the spec;
    tools import config, spec and the stack layout (plus the exceptions listed below).

The check reads every product module's AST (no import runs, no jsii): an ``import`` anywhere in
a module counts, including imports inside functions (they run when the function does), except
those under ``if TYPE_CHECKING:``. ``check`` is a pure function over a module graph, so the tests
below also prove it fails on a synthetic upward import and on a cycle.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Product package -> its layer name.
LAYERS: dict[str, str] = {
    "databricks_spec": "spec",
    "platform_config": "config",
    "resolution": "resolution",
    "stacks": "stacks",
    "mlops_constructs": "constructs",
    "mlops_engine": "engine",
    "mlops_tools": "tools",
}

#: Layer -> the other layers it may import (its own is always allowed).
ALLOWED: dict[str, frozenset[str]] = {
    "spec": frozenset(),
    "config": frozenset({"spec"}),
    "resolution": frozenset({"spec", "config"}),
    "stacks": frozenset({"spec", "config", "resolution", "constructs", "engine"}),
    "constructs": frozenset({"spec", "engine"}),
    "engine": frozenset({"spec"}),
    "tools": frozenset({"spec", "config"}),
}

#: Modules outside the allowed layers that a layer may still import: (importer layer, module).
ALLOWED_MODULES: frozenset[tuple[str, str]] = frozenset({
    ("tools", "stacks.layout"),  # the stack plan is pure (no cdktf): the CLI checks names with it
    ("tools", "mlops_engine"),  # engine metadata for `mlops --version` (ENGINE is plain data: no jsii)
    ("tools", "mlops_engine.logical_ids"),  # synth writes unit paths into the engine's output (pure: no jsii)
    ("tools", "resolution.checks"),  # derived-name checks run with loading, before any jsii (pure: no cdktf)
    ("tools", "resolution.dev_user"),  # --dev-user picks the dev target before any jsii (pure: no cdktf)
    ("tools", "resolution.names"),  # `mlops run` names a job with the stacks' own rule (pure: no cdktf)
})


@dataclass(frozen=True)
class Exception_:
    importer: str
    imported: str
    reason: str


#: Deliberate upward imports, each with its reason. Every entry must still be needed: an
#: exception no import uses any more fails the test, so this list cannot rot.
EXCEPTIONS: tuple[Exception_, ...] = (
    Exception_("mlops_tools.synth", "stacks.app",
               "synth builds the app; imported inside the function so the rest of the CLI never "
               "starts jsii (~2 s)"),
)

#: Import cycles known at this commit, as sorted module tuples. Same rule: a listed cycle that
#: no longer exists fails the test.
KNOWN_CYCLES: tuple[tuple[str, ...], ...] = ()


# --------------------------------------------------------------------------- graph

def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """(imported module, names imported from it) for every runtime import in ``tree``."""
    out: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit_stmt(sub)
                continue
            visit_stmt(child)

    def visit_stmt(child: ast.AST) -> None:
        if isinstance(child, ast.Import):
            out.extend((alias.name, []) for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                pkg = module.split(".") if is_package else module.split(".")[:-1]
                pkg = pkg[: len(pkg) - (child.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            out.append((base, [a.name for a in child.names]))
        visit(child)

    visit(tree)
    return out


def build_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """module -> the product modules it imports, from {module: (source text, is_package)}."""
    ours = set(sources)
    graph: dict[str, set[str]] = {}
    for module, (text, is_package) in sources.items():
        edges: set[str] = set()
        for target, names in _imports(ast.parse(text), module, is_package):
            if target.split(".")[0] not in LAYERS:
                continue
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in ours]
            edges.update(subs or [target])
        graph[module] = edges - {module}
    return graph


def product_sources(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    sources = {}
    for package in LAYERS:
        folder = root / package
        if not folder.is_dir():
            continue  # e.g. resolution/ before it exists
        for path in sorted(folder.rglob("*.py")):
            sources[module_name(path, root)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return sources


def layer_of(module: str) -> str:
    return LAYERS[module.split(".")[0]]


def _allowed(importer: str, imported: str) -> bool:
    src, dst = layer_of(importer), layer_of(imported)
    if src == dst or dst in ALLOWED[src]:
        return True
    return any(layer == src and (imported == m or imported.startswith(m + "."))
               for layer, m in ALLOWED_MODULES)


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan), as sorted tuples."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(found)


def check(graph: dict[str, set[str]], exceptions=EXCEPTIONS,
          known_cycles=KNOWN_CYCLES) -> list[str]:
    """Every violation of the contract, as sentences; [] when the graph honours it."""
    problems = []
    used = set()
    for importer in sorted(graph):
        for imported in sorted(graph[importer]):
            if _allowed(importer, imported):
                continue
            allowed = [e for e in exceptions if e.importer == importer and e.imported == imported]
            if allowed:
                used.add(allowed[0])
                continue
            problems.append(f"{importer} ({layer_of(importer)}) imports {imported} ({layer_of(imported)}): "
                            f"{layer_of(importer)} may import only "
                            f"{', '.join(sorted(ALLOWED[layer_of(importer)])) or 'itself'}")
    for e in exceptions:
        if e not in used:
            problems.append(f"stale exception: {e.importer} no longer imports {e.imported}; remove it")
    found = cycles(graph)
    for cycle in found:
        if cycle not in known_cycles:
            problems.append(f"import cycle: {' <-> '.join(cycle)}")
    for cycle in known_cycles:
        if cycle not in found:
            problems.append(f"stale known cycle {cycle}: it is gone; remove it from KNOWN_CYCLES")
    return problems


# --------------------------------------------------------------------------- tests

def test_product_honours_the_import_contract():
    graph = build_graph(product_sources())
    assert len(graph) > 50, "the checker found too few modules: is ROOT right?"
    assert check(graph) == []


def test_spec_imports_nothing_of_ours():
    graph = build_graph(product_sources())
    spec = {m: edges for m, edges in graph.items() if layer_of(m) == "spec"}
    assert spec, "no spec modules found"
    assert all(layer_of(t) == "spec" for edges in spec.values() for t in edges)


def test_relative_imports_and_type_checking_are_understood():
    sources = {
        "platform_config": ("", True),
        "platform_config.a": ("from . import b\nfrom .b import thing\n", False),
        "platform_config.b": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from platform_config.a import x\n", False),
    }
    graph = build_graph(sources)
    assert graph["platform_config.a"] == {"platform_config.b"}
    assert graph["platform_config.b"] == set()  # a type-only import is no runtime edge


def _sources_with(extra: dict[str, str]) -> dict[str, tuple[str, bool]]:
    sources = product_sources()
    sources.update({name: (text, False) for name, text in extra.items()})
    return sources


@pytest.mark.parametrize("module, text, expected", [
    ("databricks_spec.tmp_upward", "from platform_config.base import Model\n",
     "databricks_spec.tmp_upward (spec) imports platform_config.base (config)"),
    ("platform_config.tmp_upward", "def f():\n    import mlops_constructs.job\n",
     "platform_config.tmp_upward (config) imports mlops_constructs.job (constructs)"),
    ("mlops_constructs.tmp_upward", "from platform_config import ProjectConfig\n",
     "mlops_constructs.tmp_upward (constructs) imports platform_config (config)"),
    ("mlops_engine.tmp_upward", "import mlops_constructs\n",
     "mlops_engine.tmp_upward (engine) imports mlops_constructs (constructs)"),
    ("mlops_tools.tmp_upward", "from stacks.platform import PlatformUnits\n",
     "mlops_tools.tmp_upward (tools) imports stacks.platform (stacks)"),
])
def test_an_upward_import_fails_the_contract(module, text, expected):
    problems = check(build_graph(_sources_with({module: text})))
    assert [p for p in problems if p.startswith(expected)], problems


def test_a_new_cycle_fails_the_contract():
    sources = _sources_with({"platform_config.tmp_a": "import platform_config.tmp_b\n",
                             "platform_config.tmp_b": "from platform_config import tmp_a\n"})
    assert "import cycle: platform_config.tmp_a <-> platform_config.tmp_b" in check(build_graph(sources))


def test_a_stale_exception_fails_the_contract():
    graph = build_graph(product_sources())
    unused = Exception_("mlops_tools.cli", "stacks.app", "test")
    assert any("stale exception: mlops_tools.cli" in p for p in check(graph, EXCEPTIONS + (unused,)))


def test_an_upward_import_in_a_real_file_fails(tmp_path):
    """End to end on a copy of the tree: one file written with an upward import."""
    for package in LAYERS:
        if (ROOT / package).is_dir():
            for path in (ROOT / package).rglob("*.py"):
                dest = tmp_path / path.relative_to(ROOT)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert check(build_graph(product_sources(tmp_path))) == []
    (tmp_path / "databricks_spec" / "tmp_upward.py").write_text("import stacks.app\n", encoding="utf-8")
    assert any(p.startswith("databricks_spec.tmp_upward (spec) imports stacks.app")
               for p in check(build_graph(product_sources(tmp_path))))


# --------------------------------------------------------------------------- size and names

#: No product module over about 400 lines (issue 10 item 6).
MAX_LINES = 400
#: Modules over the limit that another branch owns, each with its reason (stale entries fail).
LONG_MODULES: dict[str, str] = {
}

#: Modules in different layers that share a name without being one concept, with the reason.
#: A shared name is otherwise allowed only when each module's docstring names another.
NAME_EXCEPTIONS: dict[frozenset[str], str] = {
    frozenset({"databricks_spec.rules", "mlops_tools.review.rules"}):
        "provider rules vs plan-review risk rules; mlops_tools/review is owned by `delivery`",
    frozenset({"stacks", "mlops_tools.review.stacks"}):
        "the stack composition package vs the review's reading of synthesized stacks; "
        "mlops_tools/review is owned by `delivery`",
    frozenset({"databricks_spec.quartz", "platform_config.quartz"}):
        "one concept; platform_config.quartz names databricks_spec.quartz, the other docstring is "
        "owned by `untrusted` (issue 11)",
}


def _names(doc: str, module: str) -> bool:
    """Whether ``doc`` names ``module``: dotted (``a.b``) or as its file (a/b.py, a/b/)."""
    path = module.replace(".", "/")
    return bool(re.search(rf"(?<![\w.]){re.escape(module)}(?![\w])", doc)) or f"{path}.py" in doc \
        or f"{path}/" in doc


def test_no_product_module_is_over_about_400_lines():
    long = {}
    for module, (text, _) in product_sources().items():
        if text.count("\n") > MAX_LINES:
            long[module] = text.count("\n")
    assert sorted(set(long) - set(LONG_MODULES)) == [], long
    assert sorted(set(LONG_MODULES) - set(long)) == [], "stale LONG_MODULES entries"


def test_modules_sharing_a_name_across_layers_say_they_are_one_concept():
    sources = product_sources()
    by_name: dict[str, list[str]] = {}
    for module in sources:
        by_name.setdefault(module.rsplit(".", 1)[-1], []).append(module)
    problems, used = [], set()
    for name, modules in sorted(by_name.items()):
        if len({layer_of(m) for m in modules}) < 2:
            continue
        for module in modules:
            others = [m for m in modules if m != module and layer_of(m) != layer_of(module)]
            doc = ast.get_docstring(ast.parse(sources[module][0])) or ""
            if any(_names(doc, m) for m in others):
                continue
            excused = [k for k in NAME_EXCEPTIONS if module in k and k & set(others)]
            if excused:
                used.update(excused)
                continue
            problems.append(f"{module} shares its name with {', '.join(others)} but its docstring names none")
    assert problems == []
    assert set(NAME_EXCEPTIONS) - used == set(), "stale NAME_EXCEPTIONS entries"


#: Construct modules that still raise a bare ValueError, each with its reason (stale entries fail).
VALUE_ERRORS: dict[str, str] = {
    "mlops_constructs.job_tasks": "with_parameters is a helper outside any construct",
}


def test_constructs_refuse_with_one_typed_error():
    """A construct refuses its props with ConstructError (which carries the construct path)."""
    found = set()
    for module, (text, _) in product_sources().items():
        if layer_of(module) != "constructs":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                    getattr(node.exc.func, "id", None) == "ValueError":
                found.add(module)
    assert sorted(found - set(VALUE_ERRORS)) == []
    assert sorted(set(VALUE_ERRORS) - found) == [], "stale VALUE_ERRORS entries"


# --------------------------------------------------------------------------- naming convention

#: Config models whose name does not end in ``Config``, each with its reason (stale entries fail).
CONFIG_NAME_EXCEPTIONS: dict[str, str] = {
    **{name: "a member of the Backend union, named for its kind" for name in
       ("LocalBackend", "CloudBackend", "S3Backend", "AzurermBackend", "GcsBackend")},
    "Model": "the base of every config model",
}


def _class_defs(layer: str):
    for module, (text, _) in product_sources().items():
        if layer_of(module) == layer:
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ClassDef):
                    yield module, node


def test_config_models_end_in_config():
    from pydantic import BaseModel
    import importlib

    names = set()
    for module, node in _class_defs("config"):
        cls = getattr(importlib.import_module(module), node.name, None)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            names.add(node.name)
    assert len(names) > 40
    odd = {n for n in names if not n.endswith("Config")}
    assert sorted(odd - set(CONFIG_NAME_EXCEPTIONS)) == []
    assert sorted(set(CONFIG_NAME_EXCEPTIONS) - odd) == [], "stale CONFIG_NAME_EXCEPTIONS entries"


def test_constructs_take_props_ending_in_props():
    """Every construct's constructor is (scope, id, props: <Name>Props): the units built on the
    bases of mlops_constructs.unit, and any plain subclass of Construct."""
    checked = 0
    for module, node in _class_defs("constructs"):
        if module == "mlops_constructs.unit":
            continue  # the bases themselves: (scope, id)
        if not any(getattr(b, "id", None) in ("Construct", "Unit", "FlatUnit") for b in node.bases):
            continue
        init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        assert init is not None, f"{module}.{node.name} has no __init__"
        args = [a.arg for a in init.args.args]
        assert args[:4] == ["self", "scope", "id", "props"], f"{module}.{node.name}{args}"
        annotation = ast.unparse(init.args.args[3].annotation)
        assert annotation.endswith("Props"), f"{module}.{node.name} takes {annotation}"
        checked += 1
    assert checked >= 15


#: Construct-layer value objects (frozen dataclasses) that are neither ``*Props`` nor ``*Spec``,
#: each with its reason (stale entries fail).
SPEC_NAME_EXCEPTIONS: dict[str, str] = {
    "Principal": "a reference to a principal (kind and name) that every construct takes, not a nested spec",
    "Location": "where a unit sits (its stack and path below it, mlops_constructs.unit), not a value of props",
    **{name: "the variants of a task's code (the Code union), named for their kind like the config's Backend "
             "members" for name in ("NotebookCode", "PythonScriptCode", "PythonWheelCode", "ConditionCode",
                                    "RunJobCode", "PipelineCode")},
}


def _is_dataclass(node: ast.ClassDef) -> bool:
    return any((getattr(d, "id", None) or getattr(getattr(d, "func", None), "id", None)) == "dataclass"
               for d in node.decorator_list)


def test_nested_construct_values_end_in_spec():
    """Construct props end in ``Props``; the value objects nested in them end in ``Spec``."""
    odd, checked = set(), 0
    for _, node in _class_defs("constructs"):
        if not _is_dataclass(node) or node.name.endswith("Props"):
            continue
        checked += 1
        if not node.name.endswith("Spec"):
            odd.add(node.name)
    assert checked >= 15
    assert sorted(odd - set(SPEC_NAME_EXCEPTIONS)) == []
    assert sorted(set(SPEC_NAME_EXCEPTIONS) - odd) == [], "stale SPEC_NAME_EXCEPTIONS entries"

"""Test modules are written against cdktf (``import cdktf``, ``cdktf.Testing.app()``,
``from cdktf_cdktf_provider_databricks.x import Y``). Under another engine
(``MLOPS_ENGINE=cdktn``) those names resolve to that engine's modules, so the same
suite runs unchanged on both engines. Product code never relies on this: it imports
from ``mlops_engine`` (and a test in tests/engine checks that). Importing this module
installs the alias finder; it does not start jsii.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

from mlops_engine import ENGINE, ENGINES

_DEFAULT = ENGINES["cdktf"]
_ALIASES = {
    _DEFAULT.core_package: ENGINE.core_package,
    _DEFAULT.provider_package: ENGINE.provider_package,
}


class EngineAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``cdktf[.x]`` / ``cdktf_cdktf_provider_databricks[.x]`` to the selected engine."""

    def __init__(self) -> None:
        self._real_specs: dict[str, importlib.machinery.ModuleSpec] = {}

    def find_spec(self, name, path=None, target=None):  # noqa: D401 (importlib protocol)
        top, dot, rest = name.partition(".")
        if top not in _ALIASES:
            return None
        return importlib.util.spec_from_loader(name, self, origin=_ALIASES[top] + dot + rest)

    def create_module(self, spec) -> ModuleType:
        module = importlib.import_module(spec.origin)
        self._real_specs[spec.origin] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # importlib stamped the alias spec onto the engine's own module: give it back its
        # real spec, so importlib.util.find_spec(<engine package>) still sees its location
        module.__spec__ = self._real_specs[module.__spec__.origin]


if ENGINE.name != _DEFAULT.name and not any(isinstance(f, EngineAliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, EngineAliasFinder())

"""The CDK engine (cdktf core classes) and which provider bindings go with it, in one place.

Two engines share one API: ``cdktf`` 0.21 with ``cdktf-cdktf-provider-databricks`` 15.16.1
(provider 1.99.0, the default) and CDK Terrain, ``cdktn`` 0.24 with
``cdktn-provider-databricks`` 18.11.0 (provider 1.138.0). ``MLOPS_ENGINE`` (``cdktf`` |
``cdktn``) selects one; it is read here and nowhere else. Each engine is installed into its
own virtualenv from its own lock file (``Pipfile.lock`` -> ``.venv``;
``engines/cdktn/Pipfile.lock`` -> ``.venv-cdktn``); ``make ... ENGINE=cdktn`` sets both.

Product code imports core classes from this package (``from mlops_engine import App,
TerraformStack, Token``) and binding classes from ``mlops_engine.databricks``. The
``constructs`` library is the same for both engines.

Selecting the engine costs nothing: ``ENGINE`` (which engine, which packages, which
provider version its bindings wrap) is plain data, so jsii-free code (the offline
provider, the CLI's ``--version``) can read it. The core package (and with it the jsii
kernel, ~2 s) is imported on first use of a core class.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from databricks_spec.diagnostics import Diagnostic, MlopsError

ENGINE_VARIABLE = "MLOPS_ENGINE"


@dataclass(frozen=True)
class Engine:
    """One CDK engine: its core package, its Databricks bindings and the provider they wrap.

    ``provider_version`` is the Databricks provider release the pinned bindings were
    generated from (what every synthesized stack pins); a test checks it against the
    installed bindings, so a lock-file bump that changes it fails until this table follows.
    """

    name: str
    core_package: str
    provider_package: str
    core_distribution: str
    provider_distribution: str
    provider_version: str

    def versions(self) -> dict[str, str]:
        """Installed versions: engine core, bindings and provider (``not installed`` if absent)."""
        def installed(distribution: str) -> str:
            try:
                return version(distribution)
            except PackageNotFoundError:
                return "not installed"

        return {
            self.core_distribution: installed(self.core_distribution),
            self.provider_distribution: installed(self.provider_distribution),
            "databricks provider": self.provider_version,
        }


ENGINES = {
    "cdktf": Engine("cdktf", "cdktf", "cdktf_cdktf_provider_databricks",
                    "cdktf", "cdktf-cdktf-provider-databricks", "1.99.0"),
    "cdktn": Engine("cdktn", "cdktn", "cdktn_provider_databricks",
                    "cdktn", "cdktn-provider-databricks", "1.138.0"),
}
DEFAULT_ENGINE = "cdktf"


class UnknownEngine(MlopsError):
    """MLOPS_ENGINE names no known engine (bad input: exit 2)."""


def selected_engine() -> Engine:
    """The engine ``MLOPS_ENGINE`` selects (default ``cdktf``); raises UnknownEngine."""
    name = os.environ.get(ENGINE_VARIABLE, "").strip() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise UnknownEngine([Diagnostic(file=f"${ENGINE_VARIABLE}", summary=(
            f"unknown engine {name[:40]!r} (known: {', '.join(sorted(ENGINES))})"))])
    return ENGINES[name]


ENGINE = selected_engine()

#: cdktf core classes the product uses, re-exported from the selected engine.
CORE_NAMES = ('Annotations', 'App', 'AzurermBackend', 'CloudBackend', 'Fn', 'GcsBackend', 'LocalBackend', 'NamedCloudWorkspace', 'S3Backend', 'TerraformOutput', 'TerraformProvider', 'TerraformResource', 'TerraformStack', 'TerraformVariable', 'Testing', 'Token')
LAZY_NAMES = ("Construct", *CORE_NAMES)


def core() -> Any:
    """The selected engine's core module (``cdktf`` or ``cdktn``), imported on first use."""
    return import_module(ENGINE.core_package)


def __getattr__(name: str) -> Any:
    if name == "Construct":
        value = import_module("constructs").Construct
    elif name in CORE_NAMES:
        value = getattr(core(), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = ["DEFAULT_ENGINE", "ENGINE", "ENGINES", "ENGINE_VARIABLE", "Engine", "UnknownEngine",
           "core", "selected_engine", *LAZY_NAMES]

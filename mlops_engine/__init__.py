"""The CDK engine (cdktf core classes) and which provider bindings go with it, in one place.

Two engines share one API: ``cdktf`` 0.21 with ``cdktf-cdktf-provider-databricks`` 15.16.1
(provider 1.99.0, the default) and CDK Terrain, ``cdktn`` 0.24 with
``cdktn-provider-databricks`` 18.x. ``MLOPS_ENGINE`` (``cdktf`` | ``cdktn``) selects one; it
is read here and nowhere else. Product code imports core classes from this package
(``from mlops_engine import App, TerraformStack, Token``) and binding classes from
``mlops_engine.databricks``. The ``constructs`` library is the same for both engines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module

from constructs import Construct

from databricks_spec.diagnostics import MlopsError, Diagnostic

ENGINE_VARIABLE = "MLOPS_ENGINE"


@dataclass(frozen=True)
class Engine:
    """One CDK engine: its core package and its Databricks provider bindings package."""

    name: str
    core_package: str
    provider_package: str


ENGINES = {
    "cdktf": Engine("cdktf", "cdktf", "cdktf_cdktf_provider_databricks"),
    "cdktn": Engine("cdktn", "cdktn", "cdktn_provider_databricks"),
}


class UnknownEngine(MlopsError):
    """MLOPS_ENGINE names no known engine (bad input: exit 2)."""


def selected_engine() -> Engine:
    """The engine ``MLOPS_ENGINE`` selects (default ``cdktf``); raises UnknownEngine."""
    name = os.environ.get(ENGINE_VARIABLE, "").strip() or "cdktf"
    if name not in ENGINES:
        raise UnknownEngine([Diagnostic(file=f"${ENGINE_VARIABLE}", summary=(
            f"unknown engine {name[:40]!r} (known: {', '.join(sorted(ENGINES))})"))])
    return ENGINES[name]


ENGINE = selected_engine()
_core = import_module(ENGINE.core_package)

#: cdktf core classes the product uses, re-exported from the selected engine.
CORE_NAMES = ('Annotations', 'App', 'AzurermBackend', 'CloudBackend', 'Fn', 'GcsBackend', 'LocalBackend', 'NamedCloudWorkspace', 'S3Backend', 'TerraformOutput', 'TerraformProvider', 'TerraformStack', 'TerraformVariable', 'Testing', 'Token')
for _name in CORE_NAMES:
    globals()[_name] = getattr(_core, _name)

__all__ = ["Construct", "ENGINE", "ENGINES", "Engine", "UnknownEngine", *CORE_NAMES]

"""``mlops --version``: the product, the engine and the Databricks provider it emits for.

Read from the installed distributions (importlib.metadata) and ``mlops_engine.ENGINE``; the
provider version comes from the bindings' own package.json (inside their jsii tarball),
so it is the provider the synthesized ``required_providers`` names.
"""

from __future__ import annotations

import json
import platform
import tarfile
from importlib import metadata, util
from pathlib import Path

DISTRIBUTION = "databricks-mlops-platform"
ROOT = Path(__file__).resolve().parents[1]


def product_version() -> str:
    """The installed distribution's version, else pyproject.toml's (a checkout run in place)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    try:
        import tomllib

        return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "unknown"


def distribution_of(package: str) -> tuple[str, str]:
    """(distribution name, version) that provides the top-level import ``package``."""
    names = metadata.packages_distributions().get(package) or [package]
    for name in names:
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return names[0], "unknown"


def provider_version(bindings_package: str) -> tuple[str, str]:
    """(provider source, version) the bindings wrap, from their jsii tarball's package.json."""
    spec = util.find_spec(bindings_package)
    if spec is None or not spec.submodule_search_locations:
        return "databricks/databricks", "unknown"
    for location in spec.submodule_search_locations:
        for tarball in sorted(Path(location, "_jsii").glob("*.tgz")):
            with tarfile.open(tarball) as archive:
                for member in archive:
                    if member.name == "package/package.json":
                        provider = json.load(archive.extractfile(member)).get("cdktf", {}).get("provider", {})
                        return provider.get("name", "databricks/databricks"), provider.get("version", "unknown")
    return "databricks/databricks", "unknown"


def version_info() -> dict[str, str]:
    from mlops_engine import ENGINE

    core_dist, core_version = distribution_of(ENGINE.core_package)
    bindings_dist, bindings_version = distribution_of(ENGINE.provider_package)
    source, provider = provider_version(ENGINE.provider_package)
    return {"product": DISTRIBUTION, "version": product_version(), "engine": ENGINE.name,
            "engine_distribution": core_dist, "engine_version": core_version,
            "bindings": bindings_dist, "bindings_version": bindings_version,
            "provider": source, "provider_version": provider, "python": platform.python_version()}


def version_text() -> str:
    info = version_info()
    return "\n".join([
        f"mlops {info['version']} ({info['product']})",
        f"engine: {info['engine']} {info['engine_version']} "
        f"(bindings {info['bindings']} {info['bindings_version']})",
        f"provider: {info['provider']} {info['provider_version']}",
        f"python: {info['python']}",
    ])

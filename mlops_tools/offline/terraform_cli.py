"""The Terraform executable and the environment every offline Terraform command runs in.

:func:`terraform_binary` finds ``terraform`` (or raises :class:`TerraformNotFound` with an
install hint); :func:`ensure_mirror` writes the CLI config that keeps the real databricks
provider from ever being downloaded; :func:`terraform_env` is the caller's environment
reduced to an allowlist (no credential reaches Terraform or the stand-in provider).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlops_tools.offline.provider_schema import PROVIDER_ADDRESS, atomic_write, cache_dir

_UNSAFE_TF_VARS = (
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_PLUGIN_CACHE_DIR",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_init",
    "TF_CLI_ARGS_validate",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_show",
    "TF_REATTACH_PROVIDERS",
)
INSTALL_HINT = (
    "Terraform >= 1.5 is required on PATH for offline verification. Install it from the HashiCorp apt "
    "repository (https://developer.hashicorp.com/terraform/install: add apt.releases.hashicorp.com, then "
    "`apt-get install terraform`) or unzip a release from https://releases.hashicorp.com/terraform/ "
    "into a directory on PATH."
)


class TerraformNotFound(RuntimeError):
    """No ``terraform`` executable on PATH."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def terraform_binary() -> str:
    """Path of the terraform executable, or raise :class:`TerraformNotFound`."""
    path = shutil.which("terraform")
    if path is None:
        raise TerraformNotFound()
    return path


def _cli_config() -> str:
    # The databricks provider is never installed: every command attaches to the stand-in
    # (TF_REATTACH_PROVIDERS). Excluding it from direct installation guarantees Terraform
    # never downloads the real one, even if attaching were skipped.
    return f'provider_installation {{\n  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n}}\n'


def ensure_mirror() -> Path:
    """Write the Terraform CLI config for offline runs; return its path (idempotent).

    The config keeps the real databricks provider from ever being downloaded;
    Terraform reaches the stand-in through :class:`ProviderServer`'s reattach
    address instead of an installed plugin.
    """
    config = cache_dir() / "offline-terraform" / "terraformrc"
    if not config.exists() or config.read_text() != _cli_config():
        atomic_write(config, _cli_config())
    return config


# --- environment allowlist (issue 11: the plan must not see the caller's credentials) ---
#: The only variables of the caller that offline Terraform (and the stand-in provider it
#: starts) receives: where programs, home, temp and caches are, locale and time zone,
#: Terraform's own logging, and the Python path the provider wrapper extends.
_ALLOWED_ENV = frozenset({"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TEMP", "TMP", "LANG", "LANGUAGE",
                          "TZ", "TERM", "NO_COLOR", "XDG_CACHE_HOME", "PYTHONPATH", "SYSTEMROOT",
                          "TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE",
                          "MLOPS_ENGINE"})  # the stand-in serves the selected engine's schema


def allowed_env(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The allowlisted subset of ``environ`` (plus LC_*): no DATABRICKS_*, AWS_*, ARM_*,
    GITHUB_TOKEN, TF_TOKEN_* or any other credential-like variable reaches Terraform."""
    return {k: v for k, v in environ.items() if k in _ALLOWED_ENV or k.startswith("LC_")}
# --- end environment allowlist ---


#: Go runtime settings for the short-lived Terraform processes of an offline run. A plan
#: allocates briskly while its live heap (the provider schema, the configuration) stays
#: small, so Go's default collector (GOGC=100) spends about a quarter of Terraform's CPU
#: time re-marking the same heap. GOGC=400 collects a quarter as often (measured: about
#: 145 MB instead of 95 MB resident per process for a 54-resource stack, and 20-30% less
#: CPU). GOMEMLIMIT makes the collector work harder again once a process nears 1 GiB,
#: so a very large stack does not grow to five times its live heap.
GO_RUNTIME_ENV = {"GOGC": "400", "GOMEMLIMIT": "1GiB"}


def terraform_env(cli_config: Path) -> dict[str, str]:
    """Environment for terraform: CLI config, automation mode, Go runtime settings
    (:data:`GO_RUNTIME_ENV`), only allowlisted variables of the caller."""
    env = {k: v for k, v in allowed_env(os.environ).items() if k not in _UNSAFE_TF_VARS}
    env.update({"TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                **GO_RUNTIME_ENV})
    return env


"""The scratch working directory a stack is verified in, and what Terraform needs there.

:func:`prepare_workdir` copies a stack's ``cdk.tf.json`` without its backend
(:func:`scratch_text`, keeping every line in place) and writes placeholders for required
variables; :func:`needs_init` says whether ``terraform init`` has any work to do;
:func:`version_problem` checks the stack's provider version constraint against the version
the attached stand-in serves, as ``terraform init`` would.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"

_TERRAFORM_BLOCK = re.compile(r'^  "terraform": \{\n(.*?)^  \}', re.M | re.S)


def _without_backend(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration without its backend / Terraform Cloud block (state: the working directory's)."""
    terraform = {k: v for k, v in config.get("terraform", {}).items() if k not in ("backend", "cloud")}
    return {**config, "terraform": terraform}


#: Placeholder values for required input variables (e.g. notification destination secrets,
#: docs/observability.md): offline runs never need a secret, and no TF_VAR_* reaches them
#: (the environment allowlist above).
OFFLINE_TFVARS = "offline.auto.tfvars.json"


def offline_variables(config: dict[str, Any]) -> dict[str, str]:
    """``offline-<name>`` for every declared variable without a default."""
    out = {}
    for name, spec in sorted((config.get("variable") or {}).items()):
        if isinstance(spec, dict) and "default" not in spec:
            out[name] = f"offline-{name}"
    return out


def scratch_text(text: str) -> tuple[str, dict[str, Any]]:
    """The text Terraform reads in the scratch directory, and its parsed configuration.

    A backend or Terraform Cloud block is disabled: Terraform plans against
    the scratch directory's own ``terraform.tfstate``, and the stack's real
    state is never touched. cdktf's layout keeps every line where it was (the
    block's key becomes ``"//"``, a JSON comment), so a diagnostic's line
    number is the line in the synthesized ``cdk.tf.json``; other layouts are
    rewritten without the block.
    """
    config = json.loads(text)
    terraform = config.get("terraform", {})
    present = [key for key in ("backend", "cloud") if key in terraform]
    if not present:
        return text, config
    stripped = _without_backend(config)
    block = _TERRAFORM_BLOCK.search(text)
    if len(present) == 1 and "//" not in terraform and block is not None:
        key = re.compile(rf'^    "{present[0]}": ', re.M)
        inner = block.group(1)
        if len(key.findall(inner)) == 1:
            edited = text[:block.start(1)] + key.sub('    "//": ', inner) + text[block.end(1):]
            try:
                parsed = json.loads(edited)
            except ValueError:
                parsed = None
            if parsed is not None and parsed["terraform"].pop("//", None) == terraform[present[0]] \
                    and parsed == stripped:
                return edited, stripped
    return json.dumps(stripped, indent=2), stripped


def prepare_workdir(stack_dir: Path, workdir: Path) -> dict[str, Any]:
    """Copy the stack into ``workdir`` with its backend disabled (see :func:`scratch_text`);
    return the configuration Terraform sees."""
    source = stack_dir / STACK_FILE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found (synthesize the stack first)")
    workdir.mkdir(parents=True, exist_ok=True)
    text, config = scratch_text(source.read_text())
    (workdir / STACK_FILE).write_text(text)
    placeholders = offline_variables(config)
    if placeholders:
        (workdir / OFFLINE_TFVARS).write_text(json.dumps(placeholders, indent=2, sort_keys=True))
    assets = stack_dir / "assets"
    if assets.is_dir() and not (workdir / "assets").exists():
        shutil.copytree(assets, workdir / "assets")
    return config


def _is_databricks_source(source: str) -> bool:
    parts = source.lower().split("/")
    return parts[-2:] == ["databricks", "databricks"] and parts[:-2] in ([], ["registry.terraform.io"])


def needs_init(config: dict[str, Any]) -> bool:
    """True when ``terraform init`` has work to do: modules, or providers other than the attached stand-in.

    Without a backend block, init would only install providers and modules;
    the databricks provider is attached, never installed, so a configuration
    using nothing else plans without init.
    """
    required = config.get("terraform", {}).get("required_providers", {})
    if set(required) != {"databricks"} or "module" in config:
        return True
    if not _is_databricks_source(str(required["databricks"].get("source", "databricks/databricks"))):
        return True
    if set(config.get("provider", {})) - {"databricks"}:
        return True
    types = {t for kind in ("resource", "data") for t in config.get(kind, {})}
    return any(not t.startswith("databricks_") for t in types)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("-")[0].split("."))


def version_allowed(version: str, constraints: str) -> bool:
    """Whether ``version`` meets a Terraform version constraint string (``"1.99.0"``, ``"~> 1.9, != 1.9.3"``)."""
    have = _version_key(version)
    for constraint in filter(None, (c.strip() for c in constraints.split(","))):
        match = re.fullmatch(r"(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+)*)", constraint)
        if match is None:
            return False
        op, want_text = match.group(1) or "=", match.group(2)
        want = _version_key(want_text)
        padded = want + (0,) * (len(have) - len(want))
        if op == "~>":
            upper = (*want[:-2], want[-2] + 1) if len(want) > 1 else (want[0] + 1,)
            ok = padded <= have and have[:len(upper)] < upper
        else:
            ok = {"=": have == padded, "!=": have != padded, ">": have > padded, ">=": have >= padded,
                  "<": have < padded, "<=": have <= padded}[op]
        if not ok:
            return False
    return True


def version_problem(config: dict[str, Any], served: str) -> str | None:
    """Terraform's init error when the stack's databricks version constraint excludes the stand-in's version."""
    required = config.get("terraform", {}).get("required_providers", {}).get("databricks", {})
    wanted = required.get("version") if isinstance(required, dict) else None
    if not wanted or version_allowed(served, str(wanted)):
        return None
    return ("Error: Failed to query available provider packages\n\n"
            f"Could not retrieve the list of available versions for provider databricks/databricks: no available "
            f"releases match the given constraints {wanted} (the offline provider serves {served}, the version of "
            "the installed bindings)")


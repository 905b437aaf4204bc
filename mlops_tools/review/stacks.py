"""Which synthesized stacks belong to an environment, and in which order to deploy them.

Synth writes ``cdktf.out/stacks.json`` (mlops_tools/stack_index.py): each stack's
environment, layout and dependencies. A stack's environment is read from there. Only an
outdir without that index (synthesized by an older revision, e.g. a change-review base)
falls back to the naming rule of ``stacks/layout.py``: a stack belongs to the longest
environment name that equals it or prefixes it followed by ``-``. The deploy order is a topological order of
the ``dependencies`` in ``cdktf.out/manifest.json`` (platform before project
stacks), ties broken by name, so it is deterministic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mlops_tools.stack_index import read_index
from stacks.layout import deploy_order as layout_deploy_order


@dataclass(frozen=True)
class SynthStack:
    name: str
    directory: Path
    """cdktf.out/stacks/<name>: the stack's working directory (holds cdk.tf.json)."""
    dependencies: tuple[str, ...]
    environment: str | None = None
    """From cdktf.out/stacks.json; None for an outdir synthesized without the index."""


def read_manifest(outdir: Path) -> dict[str, SynthStack]:
    """Stacks of a synthesized outdir (raises FileNotFoundError when it was never synthesized)."""
    manifest_path = Path(outdir) / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{manifest_path} not found: synthesize first (python -m mlops_tools synth)")
    manifest = json.loads(manifest_path.read_text())
    index = (read_index(outdir) or {}).get("stacks", {})
    out = {}
    for name, stack in manifest.get("stacks", {}).items():
        workdir = stack.get("workingDirectory") or f"stacks/{name}"
        out[name] = SynthStack(name, Path(outdir) / workdir, tuple(stack.get("dependencies") or ()),
                               index.get(name, {}).get("environment"))
    return out


def deploy_order(stacks: dict[str, SynthStack]) -> list[str]:
    """Stack names with every stack after its dependencies (ties by name): stacks.layout's rule."""
    return layout_deploy_order({name: s.dependencies for name, s in stacks.items()})


def environment_names(config_dir: Path) -> list[str]:
    """Environment names defined in a config directory (file stems of config/environments/*.yaml)."""
    env_dir = Path(config_dir) / "environments"
    if not env_dir.is_dir():
        return []
    return sorted({p.stem for p in env_dir.iterdir() if p.suffix in (".yaml", ".yml")})


def stack_environment(stack: str, environments: list[str]) -> str | None:
    """The environment a stack belongs to by the naming rule, or None."""
    matches = [e for e in environments if stack == e or stack.startswith(f"{e}-")]
    return max(matches, key=len) if matches else None


def stacks_for(outdir: Path, environments: list[str], selected: list[str] | None) -> list[SynthStack]:
    """Stacks of the selected environments (all when ``selected`` is empty/None), in deploy order."""
    stacks = read_manifest(outdir)
    wanted = set(selected or [])
    return [stacks[name] for name in deploy_order(stacks)
            if not wanted or (stacks[name].environment or stack_environment(name, environments)) in wanted]

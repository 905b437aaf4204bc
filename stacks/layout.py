"""Which stacks exist: names, environments, contents and dependencies (no jsii).

Stack names (stable; they name state files, Terraform Cloud workspaces and
cdktf.out/stacks/<name>):

* layout ``per-environment`` (default): one stack per environment, named
  ``<env>`` (dev, staging, prod).
* layout ``per-project``: ``<env>-platform`` with the environment's shared
  Unity Catalog pieces, plus ``<env>-<project>`` per ML project; each project
  stack depends on its platform stack, so deploys run platform first.
* a developer's dev target (``--dev-user``, resolution.dev_user): ``<env>-<project>`` per ML
  project and no platform stack, whatever the layout: the shared deployment of the
  environment owns its shared pieces. The dev user is in each stack's state key
  (stacks.backend), so two developers' stacks of one name never share a state.

Kept free of cdktf imports so the CLI can check stack and environment names
before paying for jsii start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_config import Platform
from resolution.dev_user import dev_user_of


@dataclass(frozen=True)
class StackSpec:
    """One stack to synthesize."""

    name: str
    env: str
    holds_platform: bool
    """Whether the stack holds the environment's shared pieces (catalog, principals...)."""
    projects: tuple[str, ...]
    depends_on: tuple[str, ...] = ()
    layout: str = "per-environment"
    """The environment's ``stacks.layout`` this stack comes from ('dev-user' for a dev target)."""
    dev_user: str | None = None
    """The developer whose dev target this stack is (None: the environment's shared target)."""


def plan_stacks(platform: Platform) -> list[StackSpec]:
    """The stacks for every environment, in deploy order."""
    specs = []
    for env_name, env in platform.environments.items():
        projects = tuple(t.project.name for t in platform.targets[env_name])
        user = dev_user_of(env)
        if user is not None:
            specs.extend(StackSpec(f"{env_name}-{p}", env_name, False, (p,), (), "dev-user", user)
                         for p in projects)
        elif env.stacks.layout == "per-project":
            platform_stack = f"{env_name}-platform"
            specs.append(StackSpec(platform_stack, env_name, True, (), (), "per-project"))
            specs.extend(StackSpec(f"{env_name}-{p}", env_name, False, (p,), (platform_stack,), "per-project")
                         for p in projects)
        else:
            specs.append(StackSpec(env_name, env_name, True, projects, (), "per-environment"))
    return specs


def deploy_order(dependencies: dict[str, tuple[str, ...] | list[str]]) -> list[str]:
    """Stack names with every stack after its dependencies, ties broken by name (deterministic).

    ``dependencies`` maps each stack to the stacks it depends on; unknown names are ignored.
    Raises ValueError on a cycle.
    """
    remaining = {name: {d for d in deps if d in dependencies} for name, deps in dependencies.items()}
    order: list[str] = []
    while remaining:
        ready = sorted(n for n, deps in remaining.items() if not deps)
        if not ready:
            raise ValueError(f"stack dependency cycle among: {', '.join(sorted(remaining))}")
        for name in ready:
            order.append(name)
            del remaining[name]
        for deps in remaining.values():
            deps.difference_update(ready)
    return order

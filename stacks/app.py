"""Build the CDKTF app: which stacks exist and what each one holds.

Stack names (stable; they name state files, Terraform Cloud workspaces and
cdktf.out/stacks/<name>):

* layout ``per-environment`` (default): one stack per environment, named
  ``<env>`` (dev, staging, prod).
* layout ``per-project``: ``<env>-platform`` with the environment's shared
  Unity Catalog pieces, plus ``<env>-<project>`` per ML project; each project
  stack depends on its platform stack, so deploys run platform first.

Construct ids below the stack are the same in both layouts (project name, then
role), so resource addresses do not depend on the layout or on YAML order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_databricks.provider import DatabricksProvider
from constructs import Construct

from platform_config import EnvironmentConfig, Platform, ProjectTarget
from stacks.backend import apply_backend
from stacks.platform import PlatformUnits
from stacks.jobs import add_cluster_policies
from stacks.project import ProjectUnits


@dataclass(frozen=True)
class StackSpec:
    """One stack to synthesize."""

    name: str
    env: str
    holds_platform: bool
    """Whether the stack holds the environment's shared pieces (catalog, principals...)."""
    projects: tuple[str, ...]
    depends_on: tuple[str, ...] = ()


def plan_stacks(platform: Platform) -> list[StackSpec]:
    """The stacks for every environment, in deploy order."""
    specs = []
    for env_name, env in platform.environments.items():
        projects = tuple(t.project.name for t in platform.targets[env_name])
        if env.stacks.layout == "per-project":
            platform_stack = f"{env_name}-platform"
            specs.append(StackSpec(platform_stack, env_name, True, ()))
            specs.extend(StackSpec(f"{env_name}-{p}", env_name, False, (p,), (platform_stack,))
                         for p in projects)
        else:
            specs.append(StackSpec(env_name, env_name, True, projects))
    return specs


def configure_provider(scope: Construct, env: EnvironmentConfig) -> DatabricksProvider:
    """The workspace-level provider: host and, optionally, auth type or profile.
    Credentials come from DATABRICKS_* variables, the profile, or Terraform Cloud."""
    ws = env.workspace
    return DatabricksProvider(scope, "databricks", host=ws.host, auth_type=ws.auth_type,
                              profile=ws.profile)


class MlopsStack(TerraformStack):
    """One stack of one environment."""

    def __init__(self, scope: Construct, spec: StackSpec, env: EnvironmentConfig,
                 targets: list[ProjectTarget]):
        super().__init__(scope, spec.name)
        apply_backend(self, env.backend, spec.name)
        configure_provider(self, env)
        if spec.holds_platform:
            PlatformUnits(self, env)  # catalog, service principals, secret scopes (docs/governance.md)
            add_cluster_policies(self, env, targets)  # job cluster policies (docs/jobs.md)
        for target in targets:
            if target.project.name in spec.projects:
                ProjectUnits(self, target)


def build_app(platform: Platform, outdir: Path) -> App:
    """An App holding every stack; call ``.synth()`` to write outdir."""
    app = App(outdir=str(outdir), skip_validation=False)
    stacks: dict[str, MlopsStack] = {}
    for spec in plan_stacks(platform):
        env = platform.environments[spec.env]
        stack = MlopsStack(app, spec, env, platform.targets[spec.env])
        for dep in spec.depends_on:
            stack.add_dependency(stacks[dep])
        stacks[spec.name] = stack
    return app

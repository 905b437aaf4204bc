"""Build the CDKTF app: one MlopsStack per StackSpec of stacks/layout.py.

Construct ids below the stack are the same in both layouts (project name, then
role), so resource addresses do not depend on the layout or on YAML order.
"""

from __future__ import annotations

from pathlib import Path

from mlops_engine import App, TerraformStack
from mlops_engine.databricks import DatabricksProvider
from constructs import Construct

from platform_config import EnvironmentConfig, Platform, ProjectTarget
from stacks.backend import apply_backend
from stacks.layout import StackSpec, plan_stacks
from stacks.platform import PlatformUnits
from stacks.jobs import add_cluster_policies
from stacks.project import ProjectUnits


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

"""Build the CDKTF app: one MlopsStack per StackSpec of stacks/layout.py.

Construct ids below the stack are the same in both layouts (project name, then
role), so resource addresses do not depend on the layout or on YAML order.

Each environment and project is resolved once (resolution/), then every stack builds
its cross-unit references once (stacks.refs.StackRefs) and passes them down.
"""

from __future__ import annotations

from pathlib import Path

from constructs import Construct

from mlops_engine import App, TerraformStack
from mlops_engine.databricks import DatabricksProvider
from mlops_constructs.unit import record_stack, unit_paths
from platform_config import EnvironmentConfig, Platform
from resolution import ResolvedEnvironment, ResolvedProject, resolve_environment, resolve_project
from stacks.backend import apply_backend
from stacks.features import add_online_stores, online_store_refs
from stacks.jobs import add_cluster_policies
from stacks.layout import StackSpec, plan_stacks
from stacks.observability import add_environment_observability, lookup_observability
from stacks.platform import PlatformUnits
from stacks.project import ProjectUnits
from stacks.refs import PrincipalRefs, StackRefs, lookup_service_principals


def configure_provider(scope: Construct, env: EnvironmentConfig) -> DatabricksProvider:
    """The workspace-level provider: host and, optionally, auth type or profile.
    Credentials come from DATABRICKS_* variables, the profile, or Terraform Cloud."""
    ws = env.workspace
    return DatabricksProvider(scope, "databricks", host=ws.host, auth_type=ws.auth_type,
                              profile=ws.profile)


class MlopsStack(TerraformStack):
    """One stack of one environment: the platform's units when it holds them, then the
    units of its projects."""

    def __init__(self, scope: Construct, spec: StackSpec, env: ResolvedEnvironment,
                 projects: list[ResolvedProject]):
        super().__init__(scope, spec.name)
        record_stack(self, spec.name)  # a stack of the app: its path is its id (mlops_constructs.unit)
        apply_backend(self, env.config.backend, spec.name, spec.dev_user)
        configure_provider(self, env.config)
        if spec.holds_platform:
            platform = PlatformUnits(self, env)  # catalog, service principals, secret scopes (docs/governance.md)
            principals = platform.principals
            policies = add_cluster_policies(self, env, principals)  # job cluster policies (docs/jobs.md)
            catalog_name = platform.catalog.name
            # SQL warehouses and notification destinations (docs/observability.md)
            observability = add_environment_observability(self, platform, env, principals)
            stores = online_store_refs(env, add_online_stores(platform, env, principals))  # docs/features.md
        else:  # the platform stack deploys first: look up what this stack's projects use
            principals = PrincipalRefs(lookup_service_principals(self, env, projects))
            policies = {}
            catalog_name = env.catalog.name
            observability = lookup_observability(self, env, projects)
            stores = online_store_refs(env, None)
        refs = StackRefs(catalog_name=catalog_name, principals=principals, cluster_policies=policies,
                         warehouses=observability.warehouses, destinations=observability.destinations,
                         online_stores=stores)
        for project in projects:
            ProjectUnits(self, project, refs)


def build_app(platform: Platform, outdir: Path) -> App:
    """An App holding every stack; call ``.synth()`` to write outdir."""
    app = App(outdir=str(outdir), skip_validation=False, stack_traces=False)  # deterministic manifest.json
    envs = {name: resolve_environment(env, platform.targets[name], platform.sources.get(name))
            for name, env in platform.environments.items()}
    projects = {name: {t.project.name: resolve_project(t) for t in platform.targets[name]}
                for name in platform.environments}
    stacks: dict[str, MlopsStack] = {}
    for spec in plan_stacks(platform):
        stack = MlopsStack(app, spec, envs[spec.env], [projects[spec.env][p] for p in spec.projects])
        for dep in spec.depends_on:
            stack.add_dependency(stacks[dep])
        stacks[spec.name] = stack
    object.__setattr__(app, "_mlops_stacks", stacks)
    return app


def unit_paths_of(app: App) -> dict[str, dict[str, str]]:
    """Per stack name of ``app`` (built by :func:`build_app`): the unit path of each element
    its flat units created directly in the stack, by logical id (mlops_constructs.unit.unit_paths)."""
    return {name: dict(unit_paths(stack)) for name, stack in sorted(getattr(app, "_mlops_stacks", {}).items())}

"""One environment's shared units, resolved: catalog, service principals, deployer,
secret scopes, permissions on shared workspace objects and cluster policies.

``resolve_environment(env, targets)`` decides every name, grant, level, protection
and grant mode; ``stacks.platform`` and ``stacks.jobs`` only map these values to
construct props.

Same concept as platform_config/environment.py (the validated config), seen from the
resolution layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from databricks_spec.privileges import SECRET_PERMISSIONS, WORKSPACE_OBJECTS
from platform_config import EnvironmentConfig, ProjectTarget
from platform_config.loader import ConfigSource
from platform_config.governance import EntitlementsConfig, GrantMode, catalog_grant_mode, prevent_destroy
from resolution import names
from resolution.features import ResolvedOnlineStore, resolve_online_stores
from resolution.principals import Member, deployer, grant_map, level_map, members, owner
from resolution.observability import ResolvedObservabilityEnvironment, resolve_environment_observability

#: Cluster policy permission levels (one: CAN_USE).
POLICY_LEVELS = WORKSPACE_OBJECTS["cluster_policy"][1]


@dataclass(frozen=True)
class ResolvedCatalog:
    """The environment's catalog."""

    name: str
    create: bool
    """True: the platform creates and owns it; False: it exists and is only referenced."""
    comment: str | None
    owner: str | Member | None
    """None: the deployer owns it (created catalogs only)."""
    storage_root: str | None
    properties: Mapping[str, str]
    prevent_destroy: bool
    """The environment's protection or the catalog's override; always false when referenced."""
    grants: Mapping[Member, frozenset[str]]
    grant_mode: GrantMode
    """Explicit, else authoritative when created and additive when referenced."""


@dataclass(frozen=True)
class ResolvedServicePrincipal:
    """A service principal the environment configures (created or referenced)."""

    key: str
    """Its key in ``service_principals``: the construct id and stable address of it."""
    create: bool
    display_name: str | None
    """Created: ``display_name``, default the naming rule applied to the key. Referenced: the
    configured display name (None when referenced by application id)."""
    application_id: str | None
    """Known application id; None for a Databricks-managed principal created here."""
    level: str
    """workspace or account."""
    groups: tuple[str, ...]
    entitlements: EntitlementsConfig | None


@dataclass(frozen=True)
class ResolvedSecretScope:
    key: str
    name: str
    """``name``, default the key."""
    acls: Mapping[Member, str]
    """Member -> the highest of READ < WRITE < MANAGE its roles give."""


@dataclass(frozen=True)
class ResolvedObjectPermissions:
    """Permissions on one shared workspace object (a cluster policy or SQL warehouse by id)."""

    unit_id: str
    """'<object type>_<config name>': the construct id."""
    object_attribute: str
    """The databricks_permissions argument naming the object (e.g. sql_endpoint_id)."""
    object_id: str
    access: Mapping[Member, str]
    levels: tuple[str, ...]
    """Valid levels, lowest first."""


@dataclass(frozen=True)
class ResolvedClusterPolicy:
    """An environment cluster policy the platform creates."""

    key: str
    name: str
    """The naming rule applied to the key (dev-ml-jobs)."""
    description: str
    """``description``, default 'Job clusters of ML projects (<env>)'."""
    definition: Mapping[str, Any] | None
    policy_family_id: str | None
    policy_family_definition_overrides: Mapping[str, Any] | None
    max_clusters_per_user: int | None
    access: Mapping[Member, str]
    """CAN_USE for the configured roles and for the run_as principal of every job whose
    cluster uses the policy."""


@dataclass(frozen=True)
class ResolvedEnvironment:
    """Everything one environment shares, resolved."""

    config: EnvironmentConfig
    catalog: ResolvedCatalog
    service_principals: Mapping[str, ResolvedServicePrincipal]
    """By key, sorted."""
    deployer: Member | None
    secret_scopes: Mapping[str, ResolvedSecretScope]
    """By key, sorted."""
    workspace_permissions: tuple[ResolvedObjectPermissions, ...]
    """Cluster policies first, then SQL warehouses; each sorted by config name."""
    cluster_policies: Mapping[str, ResolvedClusterPolicy]
    """Created policies by key, sorted (referenced ones have a literal id and need no unit)."""
    online_stores: Mapping[str, "ResolvedOnlineStore"] = field(default_factory=dict)
    """Online stores by key, sorted (resolution.features). Default: none."""
    observability: ResolvedObservabilityEnvironment | None = None
    """SQL warehouses and notification destinations (resolution.observability). Default: none."""
    source: ConfigSource | None = field(default=None, compare=False, repr=False)
    """Where the environment's file was written (``Platform.sources``); None when built in code."""

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def needs_account_provider(self) -> bool:
        """Whether any service principal lives at account level."""
        return any(sp.level == "account" for sp in self.service_principals.values())


def _policy_users(env: EnvironmentConfig, targets: Sequence[ProjectTarget], key: str) -> dict[Member, str]:
    """run_as members of every job whose cluster uses policy ``key``: they need CAN_USE."""
    out: dict[Member, str] = {}
    for target in targets:
        jobs = target.project.jobs
        for _, job in jobs.enabled_jobs():
            s = jobs.resolve(job)
            cluster = s.compute.cluster if s.compute else None
            if cluster is None or cluster.policy_id or not s.run_as:
                continue
            if (cluster.policy or env.compute.default_policy) == key:
                for m in members(env, target.roles[s.run_as]):
                    out[m] = "CAN_USE"
    return out


def resolve_environment(env: EnvironmentConfig, targets: Sequence[ProjectTarget] = (),
                        source: ConfigSource | None = None) -> ResolvedEnvironment:
    """Resolve ``env``; ``targets`` (its enabled projects) decide who may use its cluster
    policies; ``source`` (its file) is kept to locate a construct's refusal."""
    cat = env.catalog
    catalog = ResolvedCatalog(
        name=cat.name, create=cat.create, comment=cat.comment, owner=owner(env, cat.owner),
        storage_root=cat.storage_root, properties=dict(cat.properties),
        prevent_destroy=prevent_destroy(env.protection, cat.protection) if cat.create else False,
        grants=grant_map(env, env.roles, cat.grants), grant_mode=catalog_grant_mode(env))
    sps = {key: ResolvedServicePrincipal(
        key=key, create=sp.create, display_name=names.service_principal_name(env, key),
        application_id=sp.application_id, level=sp.level, groups=tuple(sp.groups),
        entitlements=sp.entitlements) for key, sp in sorted(env.service_principals.items())}
    scopes = {key: ResolvedSecretScope(key=key, name=names.secret_scope_name(key, s),
                                       acls=level_map(env, env.roles, s.acls, SECRET_PERMISSIONS))
              for key, s in sorted(env.secret_scopes.items())}
    permissions = []
    for section, otype in (("cluster_policies", "cluster_policy"), ("sql_warehouses", "sql_warehouse")):
        attribute, levels, _ = WORKSPACE_OBJECTS[otype]
        for name, obj in sorted(getattr(env.permissions, section).items()):
            permissions.append(ResolvedObjectPermissions(
                unit_id=f"{otype}_{name}", object_attribute=attribute, object_id=obj.id,
                access=level_map(env, env.roles, obj.access, levels), levels=tuple(levels)))
    policies = {}
    for key, p in sorted(env.compute.cluster_policies.items()):
        if not p.created:
            continue
        access = level_map(env, env.roles, p.permissions, POLICY_LEVELS)
        access.update(_policy_users(env, targets, key))
        policies[key] = ResolvedClusterPolicy(
            key=key, name=names.cluster_policy_name(env, key),
            description=p.description or f"Job clusters of ML projects ({env.name})",
            definition=p.definition, policy_family_id=p.policy_family_id,
            policy_family_definition_overrides=p.policy_family_definition_overrides,
            max_clusters_per_user=p.max_clusters_per_user, access=access)
    return ResolvedEnvironment(config=env, catalog=catalog, service_principals=sps, deployer=deployer(env),
                               secret_scopes=scopes, workspace_permissions=tuple(permissions),
                               cluster_policies=policies, online_stores=resolve_online_stores(env),
                               observability=resolve_environment_observability(env), source=source)

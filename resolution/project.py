"""One project in one environment, resolved: every name, table, tag, principal,
protection and grant mode its units need.

``resolve_project(target)`` is pure (no jsii). The stacks map these values to
construct props; wherever a value must become a Terraform reference (a schema the
project creates, a service principal whose id is generated at apply, a cluster
policy created in another stack) the resolved value says so explicitly
(:class:`~resolution.names.SchemaRef`, ``Member.apply_time``, :class:`PolicyRef`).

Same concept as platform_config/project.py (config) and stacks/project.py
(composition), seen from the resolution layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from databricks_spec.privileges import WORKSPACE_OBJECTS
from platform_config import ProjectTarget
from platform_config.governance import GrantMode, prevent_destroy
from resolution import names
from resolution.names import SchemaRef
from resolution.dev_user import dev_user_of
from resolution.features import ResolvedFeatures, resolve_features
from resolution.jobs import JobTables, PolicyRef, ResolvedJob, resolve_job, resolve_tables
from resolution.pipelines import ResolvedGitFolder, ResolvedPipeline, resolve_git_folder, resolve_pipelines
from resolution.principals import Member, deployer, grant_map, level_map, owner
from resolution.serving import ResolvedEndpoint, ResolvedMonitor, resolve_endpoints, resolve_monitors
from resolution.observability import ResolvedObservability, resolve_observability

#: Experiment permission levels, lowest first (databricks_spec).
EXPERIMENT_LEVEL_RANK = WORKSPACE_OBJECTS["experiment"][1]

Grants = Mapping[Member, frozenset[str]]


# ------------------------------------------------------------------ Unity Catalog units


@dataclass(frozen=True)
class ResolvedSchema:
    key: str
    """Key in the project's ``schemas``: the construct id is ``schema_<key>``."""
    name: str
    """``name``, default '<project>_<key>' in snake_case."""
    comment: str
    """``comment``, default '<key> of <project>[: <description>]'."""
    owner: str | Member | None
    storage_root: str | None
    properties: Mapping[str, str]
    prevent_destroy: bool
    grants: Grants
    grant_mode: GrantMode
    force_destroy: bool = False
    """Destroyed with its contents: true in a developer's disposable dev target
    (resolution.dev_user), whose jobs write tables into it. Default: false."""


@dataclass(frozen=True)
class ResolvedVolume:
    key: str
    schema_key: str
    """The project schema holding it."""
    name: str
    """``name``, default the key in snake_case."""
    volume_type: str
    storage_location: str | None
    comment: str | None
    owner: str | Member | None
    prevent_destroy: bool
    grants: Grants
    grant_mode: GrantMode


@dataclass(frozen=True)
class ResolvedObjectGrant:
    """Grants on a table or function pipelines create."""

    securable_type: str
    """table or function."""
    config_name: str
    """The key as config writes it ('features.customer_features' or a full name)."""
    schema_key: str | None
    """Set when the object lives in a project schema: ``full_name`` then goes through that
    schema's resource (created first)."""
    object_name: str
    """The object's own name (last part of ``full_name``)."""
    full_name: str
    """catalog.schema.object."""
    grants: Grants
    grant_mode: GrantMode


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    schema: SchemaRef
    full_name: str
    """<catalog>.<schema>.<name>."""
    comment: str | None
    """``model.comment``, default the project's description (None when empty)."""
    grants: Grants
    prevent_destroy: bool


@dataclass(frozen=True)
class ResolvedExperiment:
    path: str
    """``experiment.path``, default /Shared/mlops/<named project>/<project>-experiment."""
    artifact_location: str | None
    """None: the workspace's default artifact store."""
    permissions: Mapping[Member, str]
    """Member -> the highest of CAN_READ < CAN_EDIT < CAN_MANAGE its roles give."""


# ------------------------------------------------------------------ the project


@dataclass(frozen=True)
class ResolvedProject:
    target: ProjectTarget
    """The project and environment it was resolved from (the stacks read the remaining
    config fields, e.g. job code and schedules, from it)."""
    schemas: Mapping[str, ResolvedSchema]
    volumes: Mapping[str, ResolvedVolume]
    object_grants: tuple[ResolvedObjectGrant, ...]
    """Tables first, then functions; each sorted by name."""
    model: ResolvedModel
    experiment: ResolvedExperiment
    endpoints: Mapping[str, ResolvedEndpoint]
    """Enabled endpoints by key, sorted."""
    monitors: Mapping[str, ResolvedMonitor]
    """Enabled monitors by key, sorted (the stack gates those on a pending endpoint)."""
    jobs: Mapping[str, ResolvedJob]
    """Enabled jobs by kind."""
    tables: JobTables
    """Every table the jobs read and write, fully qualified."""
    deployer: Member | None
    """The principal running terraform apply, kept in authoritative grants (None: unset)."""
    pipelines: Mapping[str, ResolvedPipeline]
    """Enabled Lakeflow Declarative Pipelines by key, sorted (docs/pipelines.md)."""
    git_folder: ResolvedGitFolder | None
    """The Git folder pipelines read relative library paths from (None: none needed)."""
    features: ResolvedFeatures = dataclasses.field(default_factory=ResolvedFeatures)
    """Governed feature tables, synced tables and feature lookups (resolution.features).
    Default: none."""
    observability: ResolvedObservability | None = None
    """Dashboard and SQL alerts (resolution.observability). Default: none."""

    @property
    def name(self) -> str:
        return self.target.project.name

    @property
    def apply_time_principals(self) -> frozenset[str]:
        """Keys of the service principals whose application id only Terraform knows and that
        this project's units use (a project stack looks each up once)."""
        return frozenset(m.name for m in _members(self) if m.apply_time)

    @property
    def policy_refs(self) -> tuple[PolicyRef, ...]:
        """The created environment policies the project's jobs and pipelines use, sorted by key."""
        used = [j.cluster_policy for j in self.jobs.values()]
        used += [p.cluster.cluster_policy for p in self.pipelines.values() if p.cluster is not None]
        found = {ref.key: ref for ref in used if isinstance(ref, PolicyRef)}
        return tuple(found[k] for k in sorted(found))


def _members(value: Any) -> Iterator[Member]:
    """Every Member inside resolved values (dataclasses, mappings, tuples)."""
    if isinstance(value, Member):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("config", "settings", "target"):
                yield from _members(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _members(k)
            yield from _members(v)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for v in value:
            yield from _members(v)


def _schemas(target: ProjectTarget) -> dict[str, ResolvedSchema]:
    env, project = target.env, target.project
    out = {}
    for key, cfg in sorted(project.schemas.items()):
        out[key] = ResolvedSchema(
            key=key, name=names.schema_name(project, key),
            comment=cfg.comment or f"{key} of {project.name}" + (
                f": {project.description}" if project.description else ""),
            owner=owner(env, cfg.owner), storage_root=cfg.storage_root, properties=dict(cfg.properties),
            prevent_destroy=prevent_destroy(env.protection, cfg.protection),
            grants=grant_map(env, target.roles, cfg.grants), grant_mode=cfg.grant_mode,
            force_destroy=dev_user_of(env) is not None)
    return out


def _volumes(target: ProjectTarget) -> dict[str, ResolvedVolume]:
    env, project = target.env, target.project
    return {key: ResolvedVolume(
        key=key, schema_key=cfg.schema_key, name=names.volume_name(key, cfg.name), volume_type=cfg.volume_type,
        storage_location=cfg.storage_location, comment=cfg.comment, owner=owner(env, cfg.owner),
        prevent_destroy=prevent_destroy(env.protection, cfg.protection),
        grants=grant_map(env, target.roles, cfg.grants), grant_mode=cfg.grant_mode)
        for key, cfg in sorted(project.volumes.items())}


def _object_grants(target: ProjectTarget) -> tuple[ResolvedObjectGrant, ...]:
    env, project = target.env, target.project
    out = []
    for section, stype in (("tables", "table"), ("functions", "function")):
        for name, grants in sorted(getattr(project.grants, section).items()):
            parts = name.split(".")
            schema_key = parts[0] if len(parts) == 2 else None
            full = (f"{env.catalog.name}.{names.schema_name(project, parts[0])}.{parts[1]}"
                    if schema_key else name)
            out.append(ResolvedObjectGrant(
                securable_type=stype, config_name=name, schema_key=schema_key, full_name=full,
                object_name=full.rsplit(".", 1)[-1],
                grants=grant_map(env, target.roles, grants), grant_mode=project.grants.grant_mode))
    return tuple(out)


def resolve_project(target: ProjectTarget) -> ResolvedProject:
    """Resolve one enabled project for its environment."""
    env, project = target.env, target.project
    model_schema = names.model_schema(project)
    model = ResolvedModel(
        name=names.model_name(project), schema=model_schema, full_name=names.model_full_name(env, project),
        comment=project.model.comment or project.description or None,
        grants=grant_map(env, target.roles, project.model.grants),
        prevent_destroy=prevent_destroy(env.protection, project.model.protection))
    experiment = ResolvedExperiment(
        path=names.experiment_path(env, project), artifact_location=project.experiment.artifact_location,
        permissions=level_map(env, target.roles, project.experiment.permissions, EXPERIMENT_LEVEL_RANK))
    monitors = resolve_monitors(target)
    endpoints = resolve_endpoints(target)
    tables = resolve_tables(target, monitors)
    pipelines = resolve_pipelines(target)
    return ResolvedProject(
        target=target, schemas=_schemas(target), volumes=_volumes(target), object_grants=_object_grants(target),
        model=model, experiment=experiment, endpoints=endpoints, monitors=monitors,
        jobs={kind: resolve_job(target, kind, job) for kind, job in project.jobs.enabled_jobs()},
        tables=tables, deployer=deployer(env),
        pipelines=pipelines, git_folder=resolve_git_folder(target, pipelines),
        features=resolve_features(target, deployer(env)),
        observability=resolve_observability(target, monitors, endpoints, tables))

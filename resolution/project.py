"""One project in one environment, resolved: every name, table, tag, principal,
protection and grant mode its units need.

``resolve_project(target)`` is pure (no jsii). The stacks map these values to
construct props; wherever a value must become a Terraform reference (a schema the
project creates, a service principal whose id is generated at apply, a cluster
policy created in another stack) the resolved value says so explicitly
(:class:`~resolution.names.SchemaRef`, ``Member.apply_time``, :class:`PolicyRef`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from platform_config import EnvironmentConfig, ProjectConfig, ProjectTarget
from platform_config.governance import UUID, GrantMode, prevent_destroy
from databricks_spec.privileges import WORKSPACE_OBJECTS
from platform_config.jobs import JOB_LEVEL_RANK, JobBase, ResolvedSettings
from platform_config.monitoring import MonitorConfig
from platform_config.serving import ServingEndpointConfig
from resolution import names
from resolution.names import SchemaRef
from resolution.principals import (Member, deployer, grant_map, level_map, members, owner,
                                   service_principal_member)
from resolution.tags import unit_tags

#: Permission levels, lowest first (databricks_spec). Jobs keep the config layer's order
#: (IS_OWNER highest) until the spec's job order is unified with it (issue 10 item 2).
EXPERIMENT_LEVEL_RANK = WORKSPACE_OBJECTS["experiment"][1]
SERVING_LEVEL_RANK = WORKSPACE_OBJECTS["serving_endpoint"][1]

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
    artifact_location: str | None
    permissions: Mapping[Member, str]


# ------------------------------------------------------------------ serving and monitoring


@dataclass(frozen=True)
class ResolvedEndpoint:
    key: str
    """Key in ``serving.endpoints``: the construct id is ``serving_<key>``."""
    config: ServingEndpointConfig
    name: str
    description: str | None
    """``description``, default the project's description (None when empty)."""
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags)."""
    inference_schema: SchemaRef
    """``inference_table.schema``, default the model's schema."""
    inference_table_prefix: str
    scale_to_zero: Mapping[str, bool]
    """Entity -> its ``scale_to_zero``, default the environment's policy."""
    rate_limit_principals: tuple[str | Member | None, ...]
    """Per rate limit, in config order: its principal; a service principal key is resolved."""
    permissions: Mapping[Member, str]


@dataclass(frozen=True)
class ResolvedMonitor:
    key: str
    """Key in ``monitors``: the construct id is ``monitor_<key>``."""
    config: MonitorConfig
    table_name: str
    """The monitored table (an endpoint's inference table for endpoint monitors)."""
    output_schema: SchemaRef
    """``output_schema``, default the model's schema."""
    output_schema_full_name: str
    """<catalog>.<output schema>."""
    drift_metrics_table: str
    assets_dir: str
    paused: bool
    """``paused``, default the environment's ``pause_schedules``."""
    baseline_table: str | None


# ------------------------------------------------------------------ jobs


@dataclass(frozen=True)
class PolicyRef:
    """An environment cluster policy the platform creates: the stack refers to the policy
    created in its own stack, or looks it up by ``name`` (per-project layout)."""

    key: str
    name: str


@dataclass(frozen=True)
class ResolvedJob:
    kind: str
    """feature_engineering, training, batch_inference or retraining."""
    config: JobBase
    settings: ResolvedSettings
    """Job value, else the shared ``jobs`` value, else the default."""
    name: str
    description: str
    tags: Mapping[str, str]
    """By the one tag precedence (resolution.tags), with ``iac_commit`` when opted in."""
    run_as: Member | None
    permissions: Mapping[Member, str]
    cluster_policy: str | PolicyRef | None
    """The job cluster's policy: a literal id, a policy the platform creates, or none
    (serverless, or no policy configured)."""
    schedule_paused: bool | None
    """The block's ``paused``, default the environment's ``pause_schedules``; None without
    the block. Same for trigger and continuous."""
    trigger_paused: bool | None
    continuous_paused: bool | None
    trigger_tables: tuple[str, ...]
    """A table_update trigger's tables, fully qualified."""


@dataclass(frozen=True)
class FeatureTableNames:
    full_name: str
    input_table: str | None


@dataclass(frozen=True)
class JobTables:
    """The fully qualified tables the project's jobs read and write."""

    feature_tables: Mapping[str, FeatureTableNames]
    """Feature table key -> names (sorted)."""
    training_data: str | None
    validation_data: str | None
    batch_input: str | None
    predictions: str
    """The batch inference output table (default '<model schema>.predictions')."""
    default_drift: str
    """The drift metrics table a monitor of the predictions table would write."""
    drift: str | None
    """The retraining job's drift table: ``drift.table``, else the inference monitor's drift
    metrics table, else ``default_drift``. None without a retraining job."""


# ------------------------------------------------------------------ the project


@dataclass(frozen=True)
class ResolvedProject:
    target: ProjectTarget
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
    deployer: Member | None

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
        """The created environment policies the project's jobs use, sorted by key."""
        found = {j.cluster_policy.key: j.cluster_policy for j in self.jobs.values()
                 if isinstance(j.cluster_policy, PolicyRef)}
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
            grants=grant_map(env, target.roles, cfg.grants), grant_mode=cfg.grant_mode)
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


def _rate_limit_principal(env: EnvironmentConfig, key: str, principal: str | None) -> str | Member | None:
    """A service principal given by its environment key resolves to its application id."""
    if (principal and key == "service_principal" and not UUID.match(principal)
            and principal in env.service_principals):
        return service_principal_member(env, principal)
    return principal


def _endpoints(target: ProjectTarget) -> dict[str, ResolvedEndpoint]:
    env, project = target.env, target.project
    out = {}
    for key, ep in sorted(project.serving.endpoints.items()):
        if not ep.enabled:
            continue
        default_scale = env.serving.scale_to_zero_default
        out[key] = ResolvedEndpoint(
            key=key, config=ep, name=names.endpoint_name(env, project, key, ep.name),
            description=ep.description or project.description or None,
            tags=unit_tags(env, project, ep.tags),
            inference_schema=names.schema_ref(project, ep.inference_table.schema_name
                                              or names.default_schema_key(project)),
            inference_table_prefix=names.inference_table_prefix(key, ep.inference_table.table_prefix),
            scale_to_zero={name: default_scale if e.scale_to_zero is None else e.scale_to_zero
                           for name, e in sorted(ep.entities.items())},
            rate_limit_principals=tuple(_rate_limit_principal(env, r.key, r.principal) for r in ep.rate_limits),
            permissions=level_map(env, target.roles, ep.permissions, SERVING_LEVEL_RANK))
    return out


def monitored_table(env: EnvironmentConfig, project: ProjectConfig, monitor: MonitorConfig) -> str:
    """Full name of the table a monitor watches: an endpoint monitor watches the endpoint's
    inference table '<prefix><table_suffix>'."""
    if monitor.endpoint is not None:
        ep = project.serving.endpoints[monitor.endpoint]
        schema = names.schema_ref(project, ep.inference_table.schema_name or names.default_schema_key(project))
        prefix = names.inference_table_prefix(monitor.endpoint, ep.inference_table.table_prefix)
        return f"{env.catalog.name}.{schema.name}.{prefix}{monitor.table_suffix}"
    return names.table(env, project, monitor.table or "")


def _monitor(target: ProjectTarget, key: str, monitor: MonitorConfig) -> ResolvedMonitor:
    env, project = target.env, target.project
    out = names.schema_ref(project, monitor.output_schema or names.default_schema_key(project))
    out_full = f"{env.catalog.name}.{out.name}"
    watched = monitored_table(env, project, monitor)
    return ResolvedMonitor(
        key=key, config=monitor, table_name=watched, output_schema=out, output_schema_full_name=out_full,
        drift_metrics_table=names.drift_metrics_table(out_full, watched),
        assets_dir=names.monitor_assets_dir(env, project, key, monitor.assets_dir),
        paused=env.pause_schedules if monitor.paused is None else monitor.paused,
        baseline_table=names.table(env, project, monitor.baseline_table) if monitor.baseline_table else None)


def inference_monitor(project: ProjectConfig) -> str | None:
    """Key of the project's enabled inference_log monitor the retraining job reads: one on a
    serving endpoint's inference table first, else any; None if none."""
    candidates = sorted(k for k, m in project.monitors.items() if m.enabled and m.inference_log is not None)
    on_endpoint = [k for k in candidates if project.monitors[k].endpoint is not None]
    return (on_endpoint or candidates or [None])[0]


def _paused(env: EnvironmentConfig, override: bool | None) -> bool:
    return env.pause_schedules if override is None else override


def _job(target: ProjectTarget, kind: str, job: JobBase) -> ResolvedJob:
    env, project = target.env, target.project
    s = project.jobs.resolve(job)
    policy: str | PolicyRef | None = None
    cluster = s.compute.cluster if s.compute is not None else None
    if cluster is not None:
        policy = cluster.policy_id
        key = cluster.policy or env.compute.default_policy
        if policy is None and key:
            configured = env.compute.cluster_policies[key]
            policy = configured.id if configured.id is not None else PolicyRef(
                key, names.cluster_policy_name(env, key))
    t = job.trigger
    return ResolvedJob(
        kind=kind, config=job, settings=s,
        name=names.job_name(env, project, kind, job.name),
        description=job.description or f"{project.name}: {kind.replace('_', ' ')} ({env.name})",
        tags=unit_tags(env, project, s.tags, iac_commit=target.iac_commit),
        run_as=members(env, target.roles[s.run_as])[0] if s.run_as else None,
        permissions=level_map(env, target.roles, s.permissions, JOB_LEVEL_RANK),
        cluster_policy=policy,
        schedule_paused=_paused(env, job.schedule.paused) if job.schedule is not None else None,
        trigger_paused=_paused(env, t.paused) if t is not None else None,
        continuous_paused=_paused(env, job.continuous.paused) if job.continuous is not None else None,
        trigger_tables=tuple(names.table(env, project, n) for n in t.table_update.tables)
        if t is not None and t.table_update else ())


def _tables(target: ProjectTarget, monitors: Mapping[str, ResolvedMonitor]) -> JobTables:
    env, project = target.env, target.project
    jobs = dict(project.jobs.enabled_jobs())

    def table(ref: str | None) -> str | None:
        return names.table(env, project, ref) if ref else None

    feature = {}
    if (fe := jobs.get("feature_engineering")) is not None:
        feature = {name: FeatureTableNames(
            full_name=names.table(env, project, f"{t.schema_name}.{name}" if t.schema_name else name),
            input_table=table(t.input_table)) for name, t in sorted(fe.tables.items())}
    tr, bi, rt = jobs.get("training"), jobs.get("batch_inference"), jobs.get("retraining")
    predictions = names.table(env, project, bi.output_table if bi is not None else "predictions")
    catalog, schema, short = predictions.split(".")
    default_drift = f"{catalog}.{schema}.{short}_drift_metrics"
    drift = None
    if rt is not None:
        if rt.drift.table:
            drift = names.table(env, project, rt.drift.table)
        else:
            key = inference_monitor(project)  # an enabled monitor, so one of ``monitors``
            drift = monitors[key].drift_metrics_table if key else default_drift
    return JobTables(
        feature_tables=feature,
        training_data=table(tr.training_data) if tr is not None else None,
        validation_data=table(tr.validation.data) if tr is not None else None,
        batch_input=table(bi.input_table) if bi is not None else None,
        predictions=predictions, default_drift=default_drift, drift=drift)


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
    monitors = {key: _monitor(target, key, m) for key, m in sorted(project.monitors.items()) if m.enabled}
    return ResolvedProject(
        target=target, schemas=_schemas(target), volumes=_volumes(target), object_grants=_object_grants(target),
        model=model, experiment=experiment, endpoints=_endpoints(target), monitors=monitors,
        jobs={kind: _job(target, kind, job) for kind, job in project.jobs.enabled_jobs()},
        tables=_tables(target, monitors), deployer=deployer(env))

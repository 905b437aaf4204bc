"""LakeflowPipeline: a Lakeflow Declarative Pipeline (databricks_pipeline) publishing to
Unity Catalog, with its permissions.

Everything is a typed prop: target catalog and schema, source libraries,
serverless or a classic cluster under a policy, configuration (including the
platform's Auto Loader and expectation keys, already rendered by the stack),
channel, edition, photon, continuous, development mode, notifications, event
log, budget policy, run_as, permissions and tags.

Plan stability: libraries keep their configured order (the provider treats
``library`` as a set-like list the service reorders by nothing); notification
blocks, their recipients and alerts, configuration keys, tags and access
controls are emitted sorted, so YAML order never changes the JSON.
Configuration values and expectation expressions reach Terraform as literals
(the config loader escapes every config string once: platform_config/literals.py).
"""

from __future__ import annotations

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.rule_adapter import refuse

from dataclasses import dataclass, field
from typing import Mapping

from mlops_engine import Token
from mlops_engine.databricks import (Pipeline, PipelineCluster, PipelineClusterAutoscale, PipelineEnvironment,
                                     PipelineEventLog, PipelineLibrary, PipelineLibraryFile, PipelineLibraryGlob,
                                     PipelineLibraryNotebook, PipelineNotification, PipelineRunAs)

from databricks_spec import pipelines as spec
from mlops_constructs.permissions import ObjectPermissions, ObjectPermissionsProps
from mlops_constructs.principal import Principal
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class LibrarySpec:
    """One pipeline source."""

    kind: str
    """notebook, file or glob."""
    path: str
    """Absolute workspace path (or a token-prefixed Git folder path)."""


@dataclass(frozen=True, kw_only=True)
class PipelineClusterSpec:
    """The classic cluster (label 'default')."""

    node_type_id: str
    driver_node_type_id: str | None = None
    """Default: the worker node type."""
    num_workers: int | None = None
    """Fixed size; conflicts with autoscale. Default: autoscale."""
    autoscale: tuple[int, int, str] | None = None
    """(min_workers, max_workers, mode ENHANCED/LEGACY). Default: (1, 2, ENHANCED) when
    num_workers is unset."""
    policy_id: str | None = None
    """Cluster policy id; its defaults are applied. Default: none."""
    custom_tags: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""
    spark_conf: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


@dataclass(frozen=True, kw_only=True)
class NotificationSpec:
    emails: tuple[str, ...]
    """At least one recipient."""
    alerts: tuple[str, ...]
    """At least one of databricks_spec.pipelines.ALERTS."""


@dataclass(frozen=True, kw_only=True)
class LakeflowPipelineProps:
    name: str
    """Pipeline name (already carrying the environment by the naming rule)."""
    catalog: str
    """Unity Catalog catalog tables are published to."""
    schema: str
    """Default schema tables are published to (a token referencing the schema resource keeps
    Terraform's ordering)."""
    libraries: tuple[LibrarySpec, ...]
    """At least one source."""
    serverless: bool = True
    """Default: true (serverless compute; needs Unity Catalog)."""
    cluster: PipelineClusterSpec | None = None
    """Classic cluster; only with serverless false. Default: none (the service picks a
    default cluster when serverless is false)."""
    dependencies: tuple[str, ...] = ()
    """pip requirement lines (serverless environment block). Default: none."""
    configuration: Mapping[str, str] = field(default_factory=dict)
    """Key -> value for the pipeline code. Default: none."""
    channel: str | None = None
    """CURRENT or PREVIEW. Default: unset (CURRENT)."""
    edition: str | None = None
    """CORE, PRO or ADVANCED. Default: unset (ADVANCED)."""
    photon: bool = False
    """Default: false."""
    continuous: bool = False
    """Default: false (triggered updates)."""
    development: bool = False
    """Default: false (production mode: retries, clusters shut down after updates)."""
    notifications: tuple[NotificationSpec, ...] = ()
    """Default: none."""
    event_log: tuple[str, str, str] | None = None
    """(catalog, schema, table) of the published event log. Default: not published."""
    budget_policy_id: str | None = None
    """Default: unset."""
    run_as: Principal | None = None
    """A user or service principal. Default: unset (the pipeline runs as its owner)."""
    permissions: Mapping[Principal, str] = field(default_factory=dict)
    """Principal -> CAN_VIEW / CAN_RUN / CAN_MANAGE / IS_OWNER. Default: none (no
    permissions resource; the deployer owns the pipeline)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """At most 25. Default: none."""


def _sorted(mapping: Mapping[str, str]) -> dict[str, str]:
    return {k: mapping[k] for k in sorted(mapping)}


class LakeflowPipeline(FlatUnit):
    """databricks_pipeline ("Resource") + databricks_permissions ("Permissions") when permissions are set."""

    def __init__(self, scope: Scope, id: str, props: LakeflowPipelineProps):
        super().__init__(scope, id)
        self._check(props)
        p = props
        self.resource = Pipeline(*self.at("Resource"),
            name=p.name,
            catalog=p.catalog,
            schema=p.schema,
            library=[self._library(lib) for lib in p.libraries],
            serverless=True if p.serverless else None,
            cluster=[self._cluster(p.cluster)] if p.cluster is not None else None,
            environment=PipelineEnvironment(dependencies=list(p.dependencies)) if p.dependencies else None,
            configuration=dict(_sorted(p.configuration)) or None,
            channel=p.channel,
            edition=p.edition,
            photon=True if p.photon else None,
            continuous=p.continuous,
            development=p.development,
            notification=[PipelineNotification(email_recipients=sorted(set(n.emails)), alerts=sorted(set(n.alerts)))
                          for n in sorted(p.notifications, key=lambda n: (sorted(n.alerts), sorted(n.emails)))]
            or None,
            event_log=PipelineEventLog(catalog=p.event_log[0], schema=p.event_log[1], name=p.event_log[2])
            if p.event_log else None,
            budget_policy_id=p.budget_policy_id,
            run_as=PipelineRunAs(**{p.run_as.kind: p.run_as.name}) if p.run_as else None,
            tags=_sorted(p.tags) or None,
        )
        self.pipeline_id: str = self.resource.id
        self.url: str = self.resource.url
        if p.permissions:
            ObjectPermissions(self, "Permissions", ObjectPermissionsProps(
                object_attribute="pipeline_id", object_id=self.resource.id,
                access=dict(p.permissions), valid_levels=frozenset(spec.PIPELINE_LEVELS)))

    def _fail(self, message: str, section: str = "Argument Reference", doc: str = spec.DOC) -> None:
        raise ConstructError(self, f"{message} ({doc}, '{section}')")

    def _check(self, p: LakeflowPipelineProps) -> None:
        if not p.libraries:
            self._fail("a pipeline needs at least one library", "library block")
        for lib in p.libraries:
            if Token.is_unresolved(lib.path):
                continue
            refuse(self, spec.library_problem(lib.kind, lib.path))
            if spec.relative(lib.path):
                self._fail(f"library {lib.path!r} must be an absolute workspace path", "library block")
        if p.serverless and p.cluster is not None:
            self._fail("a serverless pipeline takes no cluster", "cluster")
        if not p.serverless and p.dependencies:
            self._fail("the environment block (dependencies) is for serverless pipelines", "environment block")
        if p.channel is not None and p.channel not in spec.CHANNELS:
            self._fail(f"channel {p.channel!r} not one of {', '.join(spec.CHANNELS)}")
        if p.edition is not None and p.edition not in spec.EDITIONS:
            self._fail(f"edition {p.edition!r} not one of {', '.join(spec.EDITIONS)}")
        for n in p.notifications:
            if not n.emails or not n.alerts:
                self._fail("a notification needs recipients and alerts", "notification block")
            for alert in n.alerts:
                refuse(self, spec.alert_problem(alert))
        if p.cluster is not None and p.cluster.autoscale is not None:
            if p.cluster.num_workers is not None:
                self._fail("set num_workers or autoscale, not both", "cluster")
            if p.cluster.autoscale[2] not in spec.AUTOSCALE_MODES:
                self._fail(f"autoscale mode {p.cluster.autoscale[2]!r} not one of "
                           f"{', '.join(spec.AUTOSCALE_MODES)}", "cluster")
        if p.run_as is not None and p.run_as.kind == "group_name":
            self._fail(f"run_as must be a user or service principal, not group {p.run_as.name}")
        owners = sorted((pr for pr, level in p.permissions.items() if level == "IS_OWNER"), key=lambda pr: pr.key)
        if len(owners) > 1:
            self._fail(f"a pipeline has exactly one owner, got IS_OWNER for {', '.join(pr.key for pr in owners)}",
                       "Pipelines usage", "provider docs: permissions")
        if owners and owners[0].kind == "group_name":
            self._fail(f"a pipeline cannot be owned by a group ({owners[0].name})", "Pipelines usage",
                       "provider docs: permissions")
        if len(p.tags) > spec.MAX_TAGS:
            self._fail(f"at most {spec.MAX_TAGS} tags, got {len(p.tags)}", "tags")

    @staticmethod
    def _library(lib: LibrarySpec) -> PipelineLibrary:
        if lib.kind == "notebook":
            return PipelineLibrary(notebook=PipelineLibraryNotebook(path=lib.path))
        if lib.kind == "file":
            return PipelineLibrary(file=PipelineLibraryFile(path=lib.path))
        return PipelineLibrary(glob=PipelineLibraryGlob(include=lib.path))

    @staticmethod
    def _cluster(c: PipelineClusterSpec) -> PipelineCluster:
        autoscale = None
        if c.num_workers is None:
            low, high, mode = c.autoscale or (1, 2, "ENHANCED")
            autoscale = PipelineClusterAutoscale(min_workers=low, max_workers=high, mode=mode)
        return PipelineCluster(
            label="default",
            node_type_id=c.node_type_id,
            driver_node_type_id=c.driver_node_type_id,
            num_workers=c.num_workers,
            autoscale=autoscale,
            policy_id=c.policy_id,
            apply_policy_default_values=True if c.policy_id else None,
            custom_tags=_sorted(c.custom_tags) or None,
            spark_conf=_sorted(c.spark_conf) or None,
        )

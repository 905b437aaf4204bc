"""Feature Store configuration: governed feature tables, online stores, synced tables and
feature lookup at serving time (docs/features.md).

Where each piece lives in YAML:

* a feature table is a key of ``jobs.feature_engineering.tables`` (its primary keys and
  timestamp column are already there); :class:`FeatureTableGovernanceConfig` adds its
  description, tags, table grants and ``online``;
* an online store is an environment's ``online_stores.<key>`` (:class:`OnlineStoreConfig`):
  a Lakebase database instance with a database catalog in Unity Catalog;
* a project's ``online`` (:class:`OnlineConfig`) picks the store and the sync schedule;
* a served entity may look features up (``feature_tables``) or serve a feature spec
  (``feature_spec``) (:class:`FeatureLookupConfig`).

The provider rules are the pure functions of ``databricks_spec.online``; their findings reach
the loader through ``platform_config.rule_adapter`` (file:line and key). The rules that need
the environment (``check_features``) run from ``platform_config.environment_rules``.
Same concept as resolution/features.py (resolved values) and stacks/features.py (composition).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from databricks_spec import online as online_rules
from platform_config.base import Model, Slug, Tags, UcName
from databricks_spec.rules import Finding, findings_at
from platform_config.governance import GrantMode, ProtectionConfig, RoleGrants, privilege_problems
from platform_config.rule_adapter import raise_findings
from platform_config.references import RoleName

if TYPE_CHECKING:  # pragma: no cover
    from platform_config.environment import EnvironmentConfig
    from platform_config.project import ProjectConfig

StoreLevel = Literal["CAN_USE", "CAN_MANAGE"]
SchedulingPolicy = Literal["SNAPSHOT", "TRIGGERED", "CONTINUOUS"]


class OnlineStoreConfig(Model):
    """An environment's online store: a Lakebase ``databricks_database_instance`` (Public
    Preview) registered in Unity Catalog by a ``databricks_database_database_catalog``
    (Private Preview). Opt-in: an environment without ``online_stores`` has none."""

    capacity: str = "CU_1"
    """Compute size: CU_1, CU_2, CU_4 or CU_8. Default: CU_1 (the smallest)."""
    node_count: Annotated[int, Field(ge=1, le=64)] = 1
    """Nodes: 1 primary plus secondaries. Default: 1 (no secondary, no HA)."""
    readable_secondaries: bool = False
    """Secondaries serve read-only traffic (needs node_count >= 2). Default: false."""
    retention_window_days: int = 7
    """Point-in-time history kept, 2 to 35 days. Default: 7 (the service's default)."""
    stopped: bool = False
    """Stop the instance (no compute cost; synced tables stop serving). Default: false;
    dev typically sets true between uses."""
    name: str | None = None
    """Instance name. Default: the naming rule applied to '<key>-online' (dev-features-online)."""
    catalog: UcName | None = None
    """The database catalog's name in Unity Catalog. Default: '<environment catalog>_<key>_online'."""
    database: UcName | None = None
    """Postgres database inside the instance, created if missing. Default: the key in snake_case."""
    tags: Tags
    """Custom tags on the instance, over the environment's tags. Default: none."""
    permissions: dict[RoleName, StoreLevel] = Field(default_factory=dict)
    """Role -> CAN_USE (create synced tables) or CAN_MANAGE. Default: none (no
    databricks_permissions resource: only the creator and admins)."""
    protection: ProtectionConfig | None = None
    """Override the environment's prevent_destroy, with a reason. Default: the environment's."""

    @model_validator(mode="after")
    def _rules(self) -> "OnlineStoreConfig":
        raise_findings([
            *findings_at(("name",), online_rules.instance_name(self.name) if self.name is not None else []),
            *findings_at(("capacity",), online_rules.capacity(self.capacity)),
            *findings_at(("retention_window_days",), online_rules.retention_window(self.retention_window_days)),
            *findings_at(("readable_secondaries",), online_rules.node_count(self.node_count,
                                                                           self.readable_secondaries))])
        return self


class OnlineConfig(Model):
    """A project's online serving settings (``online:``); per environment via ``environments``."""

    store: Slug | None = None
    """Key of the environment's ``online_stores``. Default: the environment's only store."""
    scheduling_policy: SchedulingPolicy = "TRIGGERED"
    """How synced tables follow their Delta source: SNAPSHOT (full copy per run), TRIGGERED
    (incremental, on demand) or CONTINUOUS (streaming; a pipeline runs all the time).
    Default: TRIGGERED (no always-on pipeline cost)."""

    @field_validator("scheduling_policy", mode="before")
    @classmethod
    def _policy(cls, value: object) -> object:
        for finding in online_rules.scheduling_policy(value) if isinstance(value, str) else ():
            raise ValueError(str(finding))
        return value


class FeatureTableGovernanceConfig(Model):
    """The governance keys of one feature table (mixed into the feature job's table config,
    where its primary keys and timestamp column already live)."""

    description: str | None = None
    """Table comment, applied by the job's code when it creates the table (passed as
    ``table_description``). Default: none."""
    tags: Tags
    """Table tags over the environment's and project's (passed as ``table_tags``).
    Default: none."""
    grants: RoleGrants = Field(default_factory=dict)
    """Role -> table privileges (ALL_PRIVILEGES, APPLY_TAG, MANAGE, SELECT, MODIFY).
    Default: none (grants are inherited from the schema)."""
    grant_mode: GrantMode = "authoritative"
    """authoritative (databricks_grants) or additive (databricks_grant per principal).
    Default: authoritative."""
    online: bool = False
    """Sync this table into the environment's online store (a synced table, Private
    Preview). Needs primary keys. Default: false."""
    timeseries_key: str | None = None
    """Tie-break column of the synced table. Default: the table's timestamp_column."""
    pending: bool = False
    """True until the feature job has written the table in this environment (first deploy):
    its grants and synced table are held back with a notice, and endpoints looking features
    up from it are deployed pending. Default: false (the table exists)."""

    @model_validator(mode="after")
    def _feature_rules(self) -> "FeatureTableGovernanceConfig":
        errors: list[tuple[tuple, str]] = []
        keys = list(getattr(self, "primary_keys", []) or [])
        ts = getattr(self, "timestamp_column", None)
        if self.online and not keys:
            errors.append((("online",), "an online table needs primary_keys: the synced table "
                                        "upserts rows by them (provider docs: "
                                        "database_synced_database_table, 'primary_key_columns')"))
        if self.timeseries_key is not None and self.timeseries_key != ts:
            declared = ", ".join([*keys, *([ts] if ts else [])]) or "none"
            errors.append((("timeseries_key",), f"'{self.timeseries_key}' is not a column the job declares as "
                                                f"timestamp_column (declared columns: {declared})"))
        raise_findings([*privilege_problems("table", self.grants), *(Finding(k, m) for k, m in errors)])
        return self


class FeatureLookupConfig(Model):
    """The feature keys of one served entity (mixed into the served entity config)."""

    feature_tables: list[UcName] = Field(default_factory=list)
    """Feature tables (keys of ``jobs.feature_engineering.tables``) the model looks up at
    serving time; each must be online. The endpoint then depends on their synced tables
    and the endpoint's identity may read them. Default: none."""
    feature_spec: str | None = None
    """Serve a feature spec (a Unity Catalog function of type FEATURE_SPEC) by its full
    catalog.schema.function name instead of a model. Default: none."""

    @field_validator("feature_spec")
    @classmethod
    def _three_part(cls, value: str | None) -> str | None:
        for finding in online_rules.three_part_name(value) if value is not None else ():
            raise ValueError(str(finding))
        return value


def store_key(project: "ProjectConfig", env: "EnvironmentConfig") -> str | None:
    """The store the project's synced tables go to in ``env`` (None: no usable store)."""
    if project.online is not None and project.online.store is not None:
        return project.online.store if project.online.store in env.online_stores else None
    return next(iter(env.online_stores)) if len(env.online_stores) == 1 else None


def online_tables(project: "ProjectConfig") -> list[str]:
    """Names of the feature tables marked online (sorted); none without a feature job."""
    fe = project.jobs.feature_engineering
    if fe is None or not fe.enabled:
        return []
    return sorted(n for n, t in fe.tables.items() if t.online)


def check_features(project: "ProjectConfig", env: "EnvironmentConfig") -> list[Finding]:
    """Rules that need the environment (called by platform_config.environment_rules, keys
    from the project file's root): stores exist, entities look up online tables."""
    return [Finding(key, message) for key, message in _feature_problems(project, env)]


def _feature_problems(project: "ProjectConfig", env: "EnvironmentConfig") -> list[tuple[tuple, str]]:
    errors: list[tuple[tuple, str]] = []
    stores = ", ".join(sorted(env.online_stores)) or "none"
    online = online_tables(project)
    chosen = project.online.store if project.online is not None else None
    if online and not env.online_stores:
        for name in online:
            errors.append((("jobs", "feature_engineering", "tables", name, "online"),
                           f"a synced table needs an online store, but environment '{env.name}' has none: "
                           f"add online_stores to its config or set online: false for '{env.name}' "
                           f"(environments.{env.name}.jobs.feature_engineering.tables.{name}.online)"))
    elif chosen is not None and chosen not in env.online_stores and (online or env.online_stores):
        errors.append((("online", "store"), f"unknown online store '{chosen}' (environment '{env.name}' "
                                            f"online_stores: {stores})"))
    elif online and chosen is None and len(env.online_stores) > 1:
        errors.append((("online", "store"), f"environment '{env.name}' has several online stores "
                                            f"({stores}): name one in online.store"))
    fe = project.jobs.feature_engineering
    tables = fe.tables if fe is not None and fe.enabled else {}
    for ep_key, ep in project.serving.endpoints.items():
        for entity_name, entity in ep.entities.items():
            where = ("serving", "endpoints", ep_key, "entities", entity_name)
            for i, table in enumerate(entity.feature_tables):
                if table not in tables:
                    errors.append((where + ("feature_tables", i),
                                   f"unknown feature table '{table}' (the feature job's tables: "
                                   f"{', '.join(sorted(tables)) or 'none'})"))
                elif not tables[table].online:
                    errors.append((where + ("feature_tables", i),
                                   f"feature table '{table}' is not online in environment '{env.name}': "
                                   "mark it online: true (a model looks features up from its synced table)"))
            if entity.feature_spec is not None and (entity.version is not None or entity.model is not None):
                errors.append((where + ("feature_spec",), "a feature spec entity serves the function itself: "
                                                          "remove model and version"))
    return errors

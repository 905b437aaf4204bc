"""What changes with the Databricks provider release: rules keyed by provider version.

The two engines pin different provider releases (see ``mlops_engine.ENGINES``): cdktf's
final bindings 15.16.1 wrap provider 1.99.0, CDK Terrain's cdktn-provider-databricks
18.11.0 wraps 1.138.0. A rule that depends on the release (which securables
``databricks_grants`` knows, which arguments a resource type accepts) is looked up here
by the provider version the stack pins, never by engine name.

Sources: provider docs 1.99.0 (grants.md "Arguments"; each resource's "Argument
Reference") and, for 1.138.0, the generated bindings of cdktn-provider-databricks
18.11.0 (the provider schema they were generated from). tests/engine checks every entry
against the schema rebuilt from the installed bindings, for the engine under test.

Pure data and functions: no jsii, imports nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProviderRelease:
    """Facts of one provider release that the platform's rules depend on."""

    version: str
    #: databricks_grants / databricks_grant arguments naming a securable.
    grant_securables: frozenset[str]
    #: resource type -> arguments this release accepts that the previous entry did not
    #: (only for resource types the platform emits).
    new_arguments: dict[str, frozenset[str]] = field(default_factory=dict)


_GRANTS_1_99 = frozenset({
    "catalog", "credential", "external_location", "foreign_connection", "function", "metastore",
    "model", "pipeline", "recipient", "schema", "share", "storage_credential", "table", "volume",
})

#: Oldest first; each entry's ``new_arguments`` is relative to the one before.
RELEASES: tuple[ProviderRelease, ...] = (
    ProviderRelease("1.99.0", _GRANTS_1_99),
    ProviderRelease(
        "1.138.0",
        _GRANTS_1_99 | {"mcp_service", "model_provider_service", "model_service", "secret"},
        {
            # provider_config (workspace_id for account-level providers) on every type below
            **{t: frozenset({"provider_config"}) for t in (
                "databricks_cluster_policy", "databricks_entitlements", "databricks_registered_model",
                "databricks_schema", "databricks_secret_acl", "databricks_secret_scope",
                "databricks_volume")},
            "databricks_catalog": frozenset({"custom_max_retention_hours", "managed_encryption_settings",
                                             "provider_config"}),
            "databricks_grant": frozenset({"mcp_service", "model_provider_service", "model_service",
                                           "provider_config", "secret"}),
            "databricks_grants": frozenset({"mcp_service", "model_provider_service", "model_service",
                                            "provider_config", "secret"}),
            "databricks_group_member": frozenset({"api", "provider_config"}),
            "databricks_job": frozenset({"environment_variables", "parent_path", "triggers"}),
            "databricks_mlflow_experiment": frozenset({"provider_config", "trace_location"}),
            "databricks_model_serving": frozenset({"provider_config", "telemetry_config"}),
            "databricks_permissions": frozenset({"database_project_name", "knowledge_assistant_id",
                                                 "provider_config", "supervisor_agent_id"}),
            "databricks_service_principal": frozenset({"api", "provider_config"}),
        },
    ),
)
_BY_VERSION = {release.version: release for release in RELEASES}


class UnknownProviderVersion(ValueError):
    """A provider version this table has no entry for (add one, with its source)."""


def release(version: str) -> ProviderRelease:
    """The entry for ``version``; raises UnknownProviderVersion for any other."""
    try:
        return _BY_VERSION[version]
    except KeyError:
        raise UnknownProviderVersion(
            f"no provider rules for databricks provider {version!r} "
            f"(known: {', '.join(_BY_VERSION)}): add it to databricks_spec/provider_versions.py") from None


def grant_securables(version: str) -> frozenset[str]:
    """Securable arguments of ``databricks_grants`` in provider ``version``."""
    return release(version).grant_securables


def introduced_in(resource_type: str, argument: str) -> str | None:
    """The first listed release whose ``new_arguments`` adds ``argument``; None when it is
    older than the table (present since 1.99.0 or earlier)."""
    for entry in RELEASES:
        if argument in entry.new_arguments.get(resource_type, ()):
            return entry.version
    return None


def supports_argument(version: str, resource_type: str, argument: str) -> bool:
    """Whether provider ``version`` accepts ``argument`` on ``resource_type`` (for the
    arguments this table tracks; any other argument is taken as supported since 1.99.0)."""
    target = release(version)
    first = introduced_in(resource_type, argument)
    if first is None:
        return True
    return _version_key(target.version) >= _version_key(first)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))

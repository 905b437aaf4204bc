"""UcGrants: authoritative Unity Catalog grants on one securable.

databricks_grants is the whole truth for its securable: grants made elsewhere
are removed on apply. Grants are emitted sorted by principal and privilege so
plans show no reordering noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf_cdktf_provider_databricks.grants import Grants, GrantsGrant
from constructs import Construct

from mlops_constructs.principal import Principal


@dataclass(frozen=True, kw_only=True)
class UcGrantsProps:
    """A securable and the privileges each principal holds on it."""

    securable_type: str
    """The databricks_grants argument for the securable: catalog, schema, model, volume, table, function."""
    securable_name: str
    """Full name of the securable (a token referencing its resource keeps the dependency)."""
    privileges: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges."""


class UcGrants(Construct):
    """One databricks_grants resource with sorted grant blocks."""

    def __init__(self, scope: Construct, id: str, props: UcGrantsProps):
        super().__init__(scope, id)
        grants = [
            GrantsGrant(principal=principal.grant_name, privileges=sorted(privs))
            for principal, privs in sorted(props.privileges.items(), key=lambda kv: kv[0].grant_name)
            if privs
        ]
        if not grants:
            raise ValueError(f"{self.node.path}: grants need at least one principal with privileges")
        self.resource = Grants(self, "Resource", grant=grants,
                               **{props.securable_type: props.securable_name})

"""FeatureTable: Unity Catalog governance of one feature table a feature job writes.

The table itself is NOT a Terraform resource: the feature job's code creates and evolves
it (its schema changes with the code; a ``databricks_sql_table`` would fight every column
the code adds, and owning it in Terraform would drop the data on replacement). This unit
emits the table-level grants (child ``Grants``: authoritative ``databricks_grants`` or
additive ``databricks_grant`` per principal, table privileges only, provider docs: grants,
'Table grants'). Its comment and tags reach the table through the job's parameters
(``table_description``, ``table_tags``), applied by the code when it creates the table.

Grants need the table to exist: the stack leaves this unit out (with a notice) while the
table is ``pending`` (docs/features.md, "First deploy").
"""

from __future__ import annotations

from dataclasses import dataclass, field


from databricks_spec.diagnostics import ConstructError

from mlops_constructs.grants import GrantMode, UcGrants, UcGrantsProps
from mlops_constructs.principal import Principal
from mlops_constructs.rule_adapter import known
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope


@dataclass(frozen=True, kw_only=True)
class FeatureTableProps:
    full_name: str
    """catalog.schema.table (a token through the schema's resource keeps the order)."""
    grants: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> table privileges. Default: none (no grants resource)."""
    grant_mode: GrantMode = "authoritative"
    """See UcGrants. Default: authoritative."""
    deployer: Principal | None = None
    """Kept in authoritative grants. Default: none."""


class FeatureTable(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: FeatureTableProps):
        super().__init__(scope, id)
        if known(props.full_name) and not is_full_name(props.full_name):
            raise ConstructError(self, f"feature table {props.full_name!r} must be catalog.schema.table",
                                 key="full_name")
        self.full_name = props.full_name
        self.grants = None
        if props.grants:
            self.grants = UcGrants(self, "Grants", UcGrantsProps(
                securable_type="table", securable_name=props.full_name, privileges=dict(props.grants),
                mode=props.grant_mode, deployer=props.deployer))

"""UcGrants: Unity Catalog grants on one securable, authoritative or additive.

* ``authoritative`` (default): one databricks_grants resource, the whole truth for
  the securable; grants made elsewhere (UI, SQL, other Terraform) are removed on
  apply. The deploying principal's own privileges are merged in so an apply can
  never revoke its own access.
* ``additive``: one databricks_grant per principal. Only the listed principals'
  grants on the securable are managed (each one's grants are replaced by the
  listed set); every other principal's grants are left alone. Use it for
  securables shared with other teams (provider issue #2705: authoritative grants
  wipe grants made elsewhere). The deployer's grants are not touched in this mode
  unless it is one of the listed principals: its databricks_grant then also holds
  the privileges it needs, since that resource replaces all of its grants.

Every privilege is checked against its securable type (provider docs: grants).
Grants are emitted sorted by principal and privilege so plans show no
reordering noise; additive resources are addressed by principal, not position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlops_engine.databricks import Grant, Grants, GrantsGrant
from databricks_spec.diagnostics import ConstructError
from mlops_constructs.principal import Principal, address_id
from databricks_spec.privileges import DEPLOYER_PRIVILEGES, SECURABLE_TYPES
from databricks_spec.rules.permissions import privileges
from mlops_constructs.rule_adapter import refuse
from mlops_constructs.unit import FlatUnit

GrantMode = Literal["authoritative", "additive"]


@dataclass(frozen=True, kw_only=True)
class UcGrantsProps:
    """A securable and the privileges each principal holds on it."""

    securable_type: str
    """The databricks_grants argument for the securable: catalog, schema, model, volume, table, function."""
    securable_name: str
    """Full name of the securable (a token referencing its resource keeps the dependency)."""
    privileges: dict[Principal, frozenset[str]] = field(default_factory=dict)
    """Principal -> privileges."""
    mode: GrantMode = "authoritative"
    """authoritative: one databricks_grants (the whole truth); additive: one databricks_grant
    per principal, leaving other principals' grants alone. Default: authoritative."""
    deployer: Principal | None = None
    """The principal that runs ``terraform apply``. It keeps the privileges it needs on this
    securable type (databricks_spec.privileges.DEPLOYER_PRIVILEGES), merged with any listed for it: always
    in authoritative mode, in additive mode only when it is listed. Default: none (nothing merged)."""


class UcGrants(FlatUnit):
    """databricks_grants (authoritative) or databricks_grant per principal (additive), sorted;
    addressed as children of ``scope``/``id`` (created in the stack: mlops_constructs.unit)."""

    def __init__(self, scope: object, id: str, props: UcGrantsProps):
        super().__init__(scope, id)
        if props.securable_type not in SECURABLE_TYPES:
            raise ConstructError(self, f"unsupported securable type {props.securable_type!r}; "
                             f"supported: {', '.join(SECURABLE_TYPES)} (provider docs: grants)")
        if props.mode not in ("authoritative", "additive"):
            raise ConstructError(self, f"grant mode must be 'authoritative' or 'additive', "
                             f"got {props.mode!r}")
        refuse(self, privileges(props.securable_type, {
            p.key: sorted(v) for p, v in sorted(props.privileges.items(), key=lambda kv: kv[0].sort_key) if v}))
        merged = {p: set(v) for p, v in props.privileges.items() if v}
        if not merged:
            raise ConstructError(self, f"grants need at least one principal with privileges")
        deployer = props.deployer
        if deployer is not None and (props.mode == "authoritative" or deployer in merged):
            merged.setdefault(deployer, set()).update(DEPLOYER_PRIVILEGES[props.securable_type])
        entries = sorted(((p, sorted(v)) for p, v in merged.items()), key=lambda e: e[0].sort_key)
        securable = {props.securable_type: props.securable_name}
        if props.mode == "authoritative":
            self.resource = Grants(*self.at("Resource"), **securable, grant=[
                GrantsGrant(principal=p.grant_name, privileges=privs) for p, privs in entries])
            return
        ids = [address_id(p.key) for p, _ in entries]
        clashes = sorted({i for i in ids if ids.count(i) > 1})
        if clashes:
            raise ConstructError(self, f"principals {', '.join(clashes)} map to the same address; "
                             "give them distinct names")
        self.resources = {
            p.key: Grant(*self.at(address_id(p.key)), **securable, principal=p.grant_name,
                         privileges=privs)
            for p, privs in entries
        }


def grants_on(scope: object, securable_type: str, securable_name: str,
              privileges: dict[Principal, frozenset[str]], mode: GrantMode = "authoritative",
              deployer: Principal | None = None) -> UcGrants | None:
    """The securable's UcGrants (child id ``Grants``), or None when no principal is listed:
    the securable's grants are then not managed at all."""
    if not privileges:
        return None
    return UcGrants(scope, "Grants", UcGrantsProps(
        securable_type=securable_type, securable_name=securable_name, privileges=privileges,
        mode=mode, deployer=deployer))

"""SecretScopeUnit: a Databricks-backed secret scope and its ACLs. Never a secret value.

The scope holds names only: values are put by an operator or CI outside
Terraform (``databricks secrets put-secret <scope> <key>``), so they are in
neither the config, the synthesized JSON nor the Terraform state. Workloads
reference them as ``{{secrets/<scope>/<key>}}``.

The principal that creates the scope gets MANAGE on it (provider docs:
secret_scope, ``initial_manage_principal``). One databricks_secret_acl per
principal (provider docs: secret_acl: READ, WRITE or MANAGE), addressed by the
principal's name and sorted, so reordering config changes nothing. An ACL
replaces the principal's permission, so when the deploying principal is listed
its ACL is MANAGE whatever its roles say: a deploy never demotes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_engine.databricks import SecretAcl, SecretScope

from databricks_spec.diagnostics import ConstructError
from mlops_constructs.principal import Principal, address_id
from databricks_spec.docs import provider_doc
from databricks_spec.names import secret_scope_name_problem
from databricks_spec.permissions import SECRET_PERMISSIONS
from databricks_spec.rules.permissions import permission_levels
from mlops_constructs.rule_adapter import name_findings, refuse
from mlops_constructs.unit import FlatUnit, Scope

@dataclass(frozen=True, kw_only=True)
class SecretScopeProps:
    name: str
    """Scope name, unique in the workspace: letters, digits, '-', '_', '.'; at most 128."""
    acls: dict[Principal, str] = field(default_factory=dict)
    """Principal -> READ / WRITE / MANAGE. Default: none (only the creator can use the scope)."""
    deployer: Principal | None = None
    """The principal that runs ``terraform apply``; listed in ``acls``, it gets MANAGE.
    Default: none."""


class SecretScopeUnit(FlatUnit):
    """databricks_secret_scope (Databricks-backed) + databricks_secret_acl per principal."""

    def __init__(self, scope: Scope, id: str, props: SecretScopeProps):
        super().__init__(scope, id)
        acls = dict(props.acls)
        refuse(self, name_findings(secret_scope_name_problem, props.name, "name"), [f.at("acls") for f in permission_levels(
            SECRET_PERMISSIONS, {p.key: level for p, level in acls.items()},
            provider_doc("secret_acl", "Argument Reference"))])
        if props.deployer in acls:
            acls[props.deployer] = "MANAGE"
        self.resource = SecretScope(*self.at("Resource"), name=props.name)
        self.name: str = self.resource.name
        self.acls = {}
        for principal, permission in sorted(acls.items(), key=lambda kv: kv[0].sort_key):
            sid = address_id(principal.key)
            if sid in self.acls:
                raise ConstructError(self, f"principals map to the same address {sid!r}")
            self.acls[sid] = SecretAcl(*self.at(f"Acl_{sid}"), scope=self.resource.name,
                                       principal=principal.grant_name, permission=permission)

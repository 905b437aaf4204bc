"""Provider rules for a service principal the platform creates or references (provider docs:
service_principal, resource and data source).

One rule for both layers: ``platform_config.governance.ServicePrincipalConfig`` (``create:``
true or false) and ``mlops_constructs.service_principal`` (props create; the ``from_*``
factories reference). A finding's key is the setting at fault.
"""

from __future__ import annotations

from databricks_spec.docs import provider_doc
from databricks_spec.formats import UUID
from databricks_spec.rules import Finding

_RESOURCE = provider_doc("service_principal", "Argument Reference")
_DATA = provider_doc("data source service_principal")


def service_principal(*, create: bool, application_id: str | None, display_name: str | None,
                      entitlements: bool = False, by_display_name: bool = True,
                      name_derived: bool = False) -> list[Finding]:
    """A created principal needs a display name (Databricks-managed) or an application id
    (Azure-managed); a referenced one is found by application id (or, when
    ``by_display_name``, by display name) and keeps its own entitlements. An application id is a
    UUID. ``by_display_name``: whether a reference may look the principal up by display name
    (constructs can; config references by application id only, so a display name there is an
    error). ``name_derived``: a created principal without a display name gets a derived one
    (config: resolution.names), so none is missing."""
    out: list[Finding] = []
    if application_id is not None and not UUID.match(application_id):
        out.append(Finding(("application_id",), f"application_id must be a UUID (the service principal's "
                                                 f"application id), got {application_id!r}", _RESOURCE))
    if create:
        if not display_name and not application_id and not name_derived:
            out.append(Finding((), "creating a service principal needs display_name (Databricks-managed) "
                                   "or application_id (Azure-managed)", _RESOURCE))
        return out
    if not application_id and not (by_display_name and display_name):
        what = "application_id or display_name" if by_display_name else "application_id"
        out.append(Finding((), f"a referenced service principal needs {what}", _DATA))
    if entitlements:
        out.append(Finding(("entitlements",), "entitlements apply only to a service principal this "
                                              "platform creates; a referenced one keeps its own"))
    if display_name and not by_display_name:
        out.append(Finding(("display_name",), "display_name applies only to a service principal this "
                                              "platform creates; a referenced one is found by application_id"))
    return out

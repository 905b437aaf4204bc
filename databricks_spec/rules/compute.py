"""Provider rules for cluster policies (provider docs: cluster_policy).

The same concept as ``platform_config.compute`` (the environment's compute and cluster policy
config), seen as rules.
"""

from __future__ import annotations

from databricks_spec.docs import provider_doc
from databricks_spec.rules import Finding

_DOC = provider_doc("cluster_policy", "Argument Reference")


def policy_source(definition: bool, policy_family: bool, overrides: bool,
                  max_clusters_per_user: int | None) -> list[Finding]:
    """A created policy has exactly one of definition and policy_family_id; family overrides
    need a family; max_clusters_per_user is positive."""
    out = []
    if definition == policy_family:
        got = [k for k, on in (("definition", definition), ("policy_family_id", policy_family)) if on]
        out.append(Finding((), "set exactly one of definition or policy_family_id; got "
                               f"{', '.join(got) or 'none'}", _DOC))
    if overrides and not policy_family:
        out.append(Finding(("policy_family_definition_overrides",),
                           "policy_family_definition_overrides needs policy_family_id", _DOC))
    if max_clusters_per_user is not None and max_clusters_per_user <= 0:
        out.append(Finding(("max_clusters_per_user",), "max_clusters_per_user must be greater than zero", _DOC))
    return out

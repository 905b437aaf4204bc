"""Environment-level compute defaults for jobs: runtime, node type, cluster policies.

The same concept as ``databricks_spec.rules.compute`` (the cluster policy rules), seen from the
config layer.

Set under ``compute:`` in an environment file. Projects' job clusters inherit
these unless they set their own, so a platform team fixes runtime, node size
and policy per environment in one place::

    compute:
      spark_version: 15.4.x-cpu-ml-scala2.12
      node_type: Standard_D4ds_v5
      default_policy: ml-jobs
      cluster_policies:
        ml-jobs:                       # created by this platform
          definition:
            autoscale.max_workers: {type: range, maxValue: 4}
          permissions: {ml_engineers: CAN_USE}
        legacy:                        # exists already: referenced by id
          id: 0012AB34CD56EF78
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveInt, ValidationInfo, field_validator, model_validator

from databricks_spec.enums import DataSecurityMode
from databricks_spec.permissions import ClusterPolicyLevel
from databricks_spec.rules.compute import policy_source
from platform_config.base import Model, Slug
from platform_config.rule_adapter import raise_findings
from platform_config.references import RoleName


#: Node type used when neither the environment nor the job names one.
DEFAULT_NODE_TYPES: dict[str, str] = {"aws": "m5d.xlarge", "azure": "Standard_D4ds_v5",
                                      "gcp": "n2-standard-4"}
#: Databricks Runtime for ML (LTS) used when neither the environment nor the job names one.
DEFAULT_SPARK_VERSION = "15.4.x-cpu-ml-scala2.12"



class ClusterPolicyConfig(Model):
    """A cluster policy: created by this platform (definition or policy family) or
    an existing one referenced by id."""

    id: str | None = None
    """Id of an existing policy to reference (nothing is created). Default: unset."""
    definition: dict[str, Any] | None = None
    """Policy definition (Databricks policy definition language) as a mapping;
    written as JSON with sorted keys. Default: unset."""
    policy_family_id: str | None = None
    """Inherit a policy family (e.g. job-cluster, personal-vm). Default: unset."""
    policy_family_definition_overrides: dict[str, Any] | None = None
    """Rules merged into the family's definition. Default: none."""
    description: str | None = None
    """Default: a generated description."""
    max_clusters_per_user: PositiveInt | None = None
    """Default: no limit."""
    permissions: dict[RoleName, ClusterPolicyLevel] = Field(default_factory=dict)
    """Role -> CAN_USE. Job run_as principals of projects using the policy are
    added automatically. Default: none besides those."""

    @model_validator(mode="after")
    def _one_source(self) -> "ClusterPolicyConfig":
        sources = [k for k in ("id", "definition", "policy_family_id") if getattr(self, k) is not None]
        if self.id is not None and len(sources) > 1 or not sources:
            raise ValueError("set exactly one of id (reference an existing policy), definition or "
                             f"policy_family_id (create one); got {', '.join(sources) or 'none'}")
        if self.id is not None and self.policy_family_definition_overrides is not None:
            raise ValueError("policy_family_definition_overrides needs policy_family_id (a policy referenced "
                             "by id is not managed here)")
        if self.id is None:
            raise_findings(policy_source(self.definition is not None, self.policy_family_id is not None,
                                         self.policy_family_definition_overrides is not None,
                                         self.max_clusters_per_user))
        if self.id is not None and (self.permissions or self.description or self.max_clusters_per_user):
            raise ValueError("a policy referenced by id is not managed here: remove permissions, "
                             "description and max_clusters_per_user")
        return self

    @property
    def created(self) -> bool:
        """Whether this platform creates (and owns) the policy."""
        return self.id is None


class EnvironmentComputeConfig(Model):
    """Compute defaults for job clusters in this environment."""

    spark_version: str = DEFAULT_SPARK_VERSION
    """Databricks Runtime for job clusters. Default: 15.4.x-cpu-ml-scala2.12 (ML LTS)."""
    node_type: str | None = None
    """Worker and driver node type. Default: by cloud, aws m5d.xlarge, azure
    Standard_D4ds_v5, gcp n2-standard-4."""
    data_security_mode: DataSecurityMode = "SINGLE_USER"
    """Access mode of job clusters (Unity Catalog needs SINGLE_USER or USER_ISOLATION).
    Default: SINGLE_USER (the job's run-as identity)."""
    cluster_policies: dict[Slug, ClusterPolicyConfig] = Field(default_factory=dict)
    """Policy name -> policy. Created policies are named by the environment's naming
    rule (dev-ml-jobs). Default: none."""
    default_policy: Slug | None = None
    """Policy applied to every job cluster that names none. Default: none."""

    @field_validator("default_policy")
    @classmethod
    def _default_policy_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        policies = info.data.get("cluster_policies")
        if value is not None and policies is not None and value not in policies:
            known = ", ".join(sorted(policies)) or "none"
            raise ValueError(f"'{value}' is not in cluster_policies (known: {known})")
        return value

    def node_type_for(self, cloud: str) -> str:
        return self.node_type or DEFAULT_NODE_TYPES[cloud]

"""Compute profiles of the ``jobs:`` config: a job cluster or serverless, by name."""

from __future__ import annotations

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from databricks_spec.enums import Cloud, DataSecurityMode
from platform_config.base import Model, Slug

class AutoscaleConfig(Model):
    min_workers: NonNegativeInt = 1
    """Default: 1."""
    max_workers: PositiveInt = 2
    """Default: 2."""

    @model_validator(mode="after")
    def _order(self) -> "AutoscaleConfig":
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) is greater than max_workers ({self.max_workers})")
        return self


class ClusterConfig(Model):
    """A job cluster shared by the job's tasks."""

    spark_version: str | None = None
    """Databricks Runtime. Default: the environment's compute.spark_version."""
    node_type: str | dict[Cloud, str] | None = None
    """Node type, or a map cloud -> node type so one project serves aws/azure/gcp
    workspaces. Default: the environment's compute.node_type."""
    driver_node_type: str | dict[Cloud, str] | None = None
    """Driver node type (same forms). Default: the worker node type."""
    num_workers: NonNegativeInt | None = None
    """Fixed size. Conflicts with autoscale. Default: autoscale."""
    autoscale: AutoscaleConfig | None = None
    """Autoscaling range. Default: 1-2 workers when num_workers is unset."""
    data_security_mode: DataSecurityMode | None = None
    """Access mode. Default: the environment's compute.data_security_mode."""
    custom_tags: dict[str, str] = Field(default_factory=dict)
    """Cluster tags (job tags are added by Databricks as well). Default: none."""
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Default: none."""
    spark_env_vars: dict[str, str] = Field(default_factory=dict)
    """Environment variables; reference secrets as {{secrets/<scope>/<key>}}. Default: none."""
    policy: Slug | None = None
    """Name of a cluster policy of the environment (compute.cluster_policies).
    Default: the environment's compute.default_policy."""
    policy_id: str | None = None
    """Id of a cluster policy not managed in config. Conflicts with policy."""

    @model_validator(mode="after")
    def _exclusive(self) -> "ClusterConfig":
        check_size_and_policy(self)
        return self


def check_size_and_policy(cluster: object) -> None:
    """One rule for job and pipeline clusters: a fixed size or autoscale, a policy name or an id."""
    if getattr(cluster, "num_workers") is not None and getattr(cluster, "autoscale") is not None:
        raise ValueError("set num_workers (fixed size) or autoscale, not both")
    if getattr(cluster, "policy") is not None and getattr(cluster, "policy_id") is not None:
        raise ValueError("set policy (a name from the environment's compute.cluster_policies) "
                         "or policy_id, not both")


class ServerlessConfig(Model):
    """Serverless jobs compute; notebook tasks install libraries themselves (%pip or
    notebook environment), python_script / python_wheel tasks get this environment."""

    environment_version: str = "2"
    """Serverless environment (client) version. Default: '2'."""
    dependencies: list[str] = Field(default_factory=list)
    """pip requirement lines (packages, wheel paths, -r requirements files). Default: none."""


class ComputeProfileConfig(Model):
    """One named compute choice: exactly one of cluster or serverless."""

    cluster: ClusterConfig | None = None
    """A job cluster. Set exactly one of cluster and serverless."""
    serverless: ServerlessConfig | None = None
    """Serverless jobs compute. Set exactly one of cluster and serverless."""

    @model_validator(mode="after")
    def _exactly_one(self) -> "ComputeProfileConfig":
        if (self.cluster is None) == (self.serverless is None):
            raise ValueError("set exactly one of cluster or serverless")
        return self


#: Used when a project defines no compute profiles: a job cluster with the environment's defaults.
DEFAULT_COMPUTE = ComputeProfileConfig(cluster=ClusterConfig())



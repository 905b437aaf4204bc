"""A pipeline's classic (non-serverless) compute: ``pipelines.<key>.cluster``.

Split from platform_config/pipelines.py (the pipeline model, which uses these).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from databricks_spec import pipelines as spec
from databricks_spec.enums import Cloud
from platform_config.base import Model, Slug
from platform_config.jobs.clusters import check_size_and_policy


class PipelineAutoscaleConfig(Model):
    min_workers: NonNegativeInt = 1
    """Default: 1."""
    max_workers: PositiveInt = 2
    """Default: 2."""
    mode: Annotated[str, BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)] = "ENHANCED"
    """ENHANCED or LEGACY autoscaling. Default: ENHANCED."""

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in spec.AUTOSCALE_MODES:
            raise ValueError(f"must be one of {', '.join(spec.AUTOSCALE_MODES)}")
        return value

    @model_validator(mode="after")
    def _order(self) -> "PipelineAutoscaleConfig":
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) is greater than max_workers ({self.max_workers})")
        return self


class PipelineClusterConfig(Model):
    """The pipeline's classic (non-serverless) cluster, label 'default'."""

    node_type: str | dict[Cloud, str] | None = None
    """Node type, or a map cloud -> node type. Default: the environment's compute.node_type."""
    driver_node_type: str | dict[Cloud, str] | None = None
    """Default: the worker node type."""
    num_workers: NonNegativeInt | None = None
    """Fixed size. Conflicts with autoscale. Default: autoscale."""
    autoscale: PipelineAutoscaleConfig | None = None
    """Default: 1-2 workers, ENHANCED, when num_workers is unset."""
    policy: Slug | None = None
    """A cluster policy of the environment (compute.cluster_policies); it must allow pipeline
    clusters (cluster_type 'dlt'). Default: the environment's compute.default_policy."""
    policy_id: str | None = None
    """Id of a policy not managed in config. Conflicts with policy."""
    custom_tags: dict[str, str] = Field(default_factory=dict)
    """Default: none."""
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Default: none."""

    @model_validator(mode="after")
    def _exclusive(self) -> "PipelineClusterConfig":
        check_size_and_policy(self)
        return self


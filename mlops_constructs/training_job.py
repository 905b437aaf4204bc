"""ModelTrainingJob: Train -> ModelValidation -> ModelDeployment on shared compute.

The champion/challenger flow happens at run time, inside the tasks; the job
passes everything they need as parameters:

* Train registers a new version of ``model_name`` (catalog.schema.model) and
  sets the task value ``model_version``.
* ModelValidation evaluates that version (``{{tasks.Train.values.model_version}}``)
  against the thresholds (and, optionally, the current ``champion``) and sets the
  alias ``challenger`` on it. ``run_mode`` is enabled (failing rules stop the
  run), dry_run (rules are reported, the run goes on; typical in dev) or disabled.
* ModelDeployment moves the ``champion`` alias to the challenger version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Literal, Mapping


from databricks_spec.diagnostics import ConstructError
from mlops_constructs.job import Code, DependencySpec, MlJob, MlJobProps, TaskSpec, with_parameters
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope

TRAIN, VALIDATE, DEPLOY = "Train", "ModelValidation", "ModelDeployment"
VERSION_REF = "{{tasks.Train.values.model_version}}"


@dataclass(frozen=True, kw_only=True)
class ModelTrainingJobProps:
    job: MlJobProps
    """Name, compute, schedule, notifications, identity, tags (tasks are filled in here)."""
    env_name: str
    """Passed as the 'env' parameter."""
    model_name: str
    """Full Unity Catalog model name catalog.schema.model."""
    experiment_path: str
    """MLflow experiment path, passed as experiment_name."""
    train: Code
    validate: Code
    deploy: Code
    compute_key: str | None = None
    """Job cluster / environment key all three tasks share. Default: none (serverless;
    notebooks only, see TaskSpec.compute_key)."""
    training_data: str | None = None
    """Full training table name. Default: unset (the Train task decides)."""
    validation_mode: Literal["enabled", "dry_run", "disabled"] = "enabled"
    """Default: enabled."""
    validation_thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Metric -> {min, max}; passed as JSON. Default: none."""
    model_type: str | None = None
    """Default: unset."""
    targets: str | None = None
    """Label column. Default: unset."""
    baseline_comparison: bool = True
    """Compare with the current champion. Default: true."""
    validation_data: str | None = None
    """Full validation table name. Default: unset."""
    challenger_alias: str = "challenger"
    """Default: challenger."""
    champion_alias: str = "champion"
    """Default: champion."""
    extra_parameters: Mapping[str, str] = field(default_factory=dict)
    """User parameters added to every task. Default: none."""


class ModelTrainingJob(FlatUnit):
    """An MlJob ("Resource") with the three training tasks; ``job_id`` is its id token."""

    def __init__(self, scope: Scope, id: str, props: ModelTrainingJobProps):
        super().__init__(scope, id)
        if not is_full_name(props.model_name):
            raise ConstructError(self, f"model_name must be catalog.schema.model, got {props.model_name!r}")
        if props.challenger_alias == props.champion_alias:
            raise ConstructError(self, f"challenger and champion aliases must differ")
        common = {"env": props.env_name, "model_name": props.model_name,
                  "experiment_name": props.experiment_path, **props.extra_parameters}
        train = {**common}
        if props.training_data:
            train["training_data"] = props.training_data
        validate = {**common, "model_version": VERSION_REF, "run_mode": props.validation_mode,
                    "challenger_alias": props.challenger_alias, "champion_alias": props.champion_alias,
                    "enable_baseline_comparison": "true" if props.baseline_comparison else "false",
                    "validation_thresholds": json.dumps(
                        {m: dict(sorted(t.items())) for m, t in sorted(props.validation_thresholds.items())},
                        sort_keys=True)}
        for key, value in (("model_type", props.model_type), ("targets", props.targets),
                           ("validation_input", props.validation_data)):
            if value:
                validate[key] = value
        deploy = {**common, "model_version": VERSION_REF, "challenger_alias": props.challenger_alias,
                  "champion_alias": props.champion_alias}
        tasks = (
            TaskSpec(key=TRAIN, action=with_parameters(props.train, train), compute_key=props.compute_key,
                     description="Train the model and register a new version"),
            TaskSpec(key=VALIDATE, action=with_parameters(props.validate, validate), depends_on=(DependencySpec(TRAIN),),
                     compute_key=props.compute_key,
                     description=f"Validate the new version and mark it '{props.challenger_alias}'"),
            TaskSpec(key=DEPLOY, action=with_parameters(props.deploy, deploy), depends_on=(DependencySpec(VALIDATE),),
                     compute_key=props.compute_key,
                     description=f"Promote '{props.challenger_alias}' to '{props.champion_alias}'"),
        )
        self.job = MlJob(self, "Resource", replace(props.job, tasks=tasks))
        self.job_id = self.job.job_id

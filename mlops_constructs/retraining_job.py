"""RetrainingJob: runs the training job when a drift metric crosses its threshold.

Tasks (sorted by key in the JSON):

* ComputeDriftMetric (code, on the job's compute): reads ``metric_column`` of the
  latest window in ``drift_metrics_table`` and sets the task value ``drift_metric``
  (``dbutils.jobs.taskValues.set("drift_metric", value)``).
* CheckDriftThreshold (condition task, no compute):
  ``{{tasks.ComputeDriftMetric.values.drift_metric}} <comparison> <threshold>``.
* RetrainModel (run-job task): runs the training job, only on outcome "true".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from databricks_spec.rules.jobs import threshold_comparison
from databricks_spec.enums import Comparison
from mlops_constructs.rule_adapter import refuse

from mlops_constructs.job import (Code, ConditionCode, DependencySpec, MlJob, MlJobProps, RunJobCode,
                                  TaskSpec, with_parameters)
from mlops_constructs.uc_names import is_full_name
from mlops_constructs.unit import FlatUnit, Scope

COMPUTE, CHECK, RETRAIN = "ComputeDriftMetric", "CheckDriftThreshold", "RetrainModel"
TASK_VALUE_KEY = "drift_metric"


def format_threshold(value: float) -> str:
    """A plain decimal (no exponent), so the condition task compares numbers: 1e-05 -> '0.00001'."""
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


@dataclass(frozen=True, kw_only=True)
class RetrainingJobProps:
    job: MlJobProps
    env_name: str
    model_name: str
    """Full model name catalog.schema.model (passed to the drift task)."""
    drift_metrics_table: str
    """Full name of the drift metrics table (a Lakehouse monitor's <table>_drift_metrics)."""
    metric_column: str
    """Column holding the drift metric, e.g. js_distance."""
    threshold: float
    training_job_id: str
    """Id token of the training job to run."""
    code: Code
    """Code of ComputeDriftMetric."""
    comparison: Comparison = "GREATER_THAN"
    """Condition op: retrain when metric <op> threshold. Default: GREATER_THAN."""
    compute_key: str | None = None
    """Job cluster / serverless environment key of the code task. Default: none (serverless;
    notebooks only, see TaskSpec.compute_key)."""
    extra_parameters: Mapping[str, str] = field(default_factory=dict)
    """Default: none."""


class RetrainingJob(FlatUnit):
    def __init__(self, scope: Scope, id: str, props: RetrainingJobProps):
        super().__init__(scope, id)
        if not is_full_name(props.drift_metrics_table):
            raise ConstructError(self, f"drift_metrics_table must be catalog.schema.table, "
                             f"got {props.drift_metrics_table!r}")
        refuse(self, threshold_comparison(props.comparison))
        threshold = format_threshold(props.threshold)
        params = {"env": props.env_name, "model_name": props.model_name,
                  "drift_metrics_table": props.drift_metrics_table, "drift_metric_column": props.metric_column,
                  "drift_threshold": threshold, "drift_comparison": props.comparison,
                  "task_value_key": TASK_VALUE_KEY, **props.extra_parameters}
        tasks = (
            TaskSpec(key=COMPUTE, action=with_parameters(props.code, params), compute_key=props.compute_key,
                     description=f"Read {props.metric_column} from {props.drift_metrics_table}"),
            TaskSpec(key=CHECK, depends_on=(DependencySpec(COMPUTE),),
                     action=ConditionCode(left=f"{{{{tasks.{COMPUTE}.values.{TASK_VALUE_KEY}}}}}",
                                          op=props.comparison, right=threshold),
                     description=f"{props.metric_column} {props.comparison} {threshold}?"),
            TaskSpec(key=RETRAIN, depends_on=(DependencySpec(CHECK, "true"),),
                     action=RunJobCode(job_id=props.training_job_id),
                     description="Run the training job"),
        )
        self.job = MlJob(self, "Resource", replace(props.job, tasks=tasks))
        self.job_id = self.job.job_id

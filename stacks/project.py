"""Compose one ML project's units for one environment from its resolved values.

The same concept as ``platform_config.project`` (the project config), seen from the stacks.
"""

from __future__ import annotations

from constructs import Construct

from mlops_constructs.experiment import MlflowExperimentProps, MlflowExperimentUnit
from mlops_constructs.registered_model import UcRegisteredModel, UcRegisteredModelProps
from resolution import ResolvedProject
from stacks.code import add_project_code
from stacks.features import add_feature_units
from stacks.governance import add_data_units
from stacks.jobs import add_project_jobs, policy_lookups
from stacks.located import configured_at
from stacks.pipelines import add_project_pipelines, feature_job_pipelines
from stacks.observability import add_project_observability
from stacks.outputs import add_project_outputs
from stacks.refs import StackRefs
from stacks.serving import add_serving_units
from mlops_constructs.unit import Unit


class ProjectUnits(Unit):
    """All units of one project in one environment. Its id is the project's name,
    so every resource address derives from (project, role), never list positions."""

    def __init__(self, scope: Construct, project: ResolvedProject, refs: StackRefs):
        super().__init__(scope, project.name)
        p = refs.principals
        # cross-unit references this project needs, up front: cluster policies its jobs and pipelines use
        with configured_at(project, ("jobs", "compute")):
            policies = policy_lookups(self, project, refs)
        self.data = add_data_units(self, project, refs)  # schemas, volumes, grants (docs/governance.md)
        self.features = add_feature_units(self, project, refs, self.data)  # docs/features.md
        model = project.model
        model_schema = self.data.schema_name(model.schema)  # a token when the project creates it
        with configured_at(project, ("model",)):
            self.model = UcRegisteredModel(self, "model", UcRegisteredModelProps(
                catalog_name=refs.catalog_name,
                schema_name=model_schema,
                name=model.name,
                comment=model.comment,
                grants=p.grants(model.grants),
                prevent_destroy=model.prevent_destroy,
                deployer=p.deployer(project.deployer),
            ))
        exp = project.experiment
        with configured_at(project, ("experiment",)):
            self.experiment = MlflowExperimentUnit(self, "experiment", MlflowExperimentProps(
                path=exp.path, artifact_location=exp.artifact_location, permissions=p.levels(exp.permissions)))
        # serving endpoints and Lakehouse monitors (docs/serving.md, docs/monitoring.md)
        self.serving = add_serving_units(self, project, refs, self.data, self.model.full_name, model_schema,
                                         self.features)
        # the project's code: workspace files / wheels / Git credentials (docs/code-delivery.md)
        self.code = add_project_code(scope, self, project, self.data)
        # Lakeflow Declarative Pipelines, before the jobs that run them (docs/pipelines.md)
        self.pipelines = add_project_pipelines(self, project, refs, self.data, policies)
        # ML workflow jobs: feature engineering, training, batch inference, retraining (docs/jobs.md)
        self.jobs = add_project_jobs(self, project, refs, policies, feature_job_pipelines(project, self.pipelines),
                                     self.code)
        # monitoring dashboard and SQL alerts (docs/observability.md)
        self.observability = add_project_observability(
            self, project, refs, frozenset(k for k, e in self.serving.endpoints.items() if e.pending),
            self.serving.monitors)
        # Terraform outputs named from config keys (docs/code-delivery.md, "Outputs")
        add_project_outputs(scope, self, project.name, project.target.env.workspace.host)

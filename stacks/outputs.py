"""Terraform outputs of a project's units (issue 16 item 4; docs/code-delivery.md, "Outputs").

Each output is named from stable config keys (the project's name and the unit's key, snake_case),
never from construct paths, and is declared directly under the stack, so its name in the
cdk.tf.json is exactly that: ``terraform output -json`` in a stack's folder gives, per project,

    <project>_job_<kind>_id / _url            feature_engineering, training, batch_inference, retraining
    <project>_pipeline_<key>_id / _url        Lakeflow Declarative Pipelines
    <project>_endpoint_<key>_name / _url      serving endpoints (_url: the invocation URL)
    <project>_dashboard_url                   the monitoring dashboard (published view)
    <project>_volume_<key>_path               /Volumes/<catalog>/<schema>/<volume>
    <project>_code_root                       the workspace code root (code.source workspace)

The names are the same in both layouts (a per-project stack holds one project's outputs). Scripts
and orchestrators (the integration run, Airflow) read them instead of parsing resource addresses.
"""

from __future__ import annotations

from constructs import Construct

from mlops_engine import TerraformOutput
from platform_config.base import snake


def output_name(project: str, *keys: str) -> str:
    """The output's name: '<project>_<key>_...' in snake_case (Terraform identifiers)."""
    return "_".join(snake(part) for part in (project, *keys))


def _add(stack: Construct, name: str, value: str, description: str) -> None:
    TerraformOutput(stack, name, value=value, description=description)


def add_project_outputs(stack: Construct, units, project: str, host: str) -> None:
    """The outputs of one ProjectUnits (``units``) of project ``project``, directly under ``stack``
    (the stack holding it). ``host``: the workspace URL."""
    base = host.rstrip("/")
    for kind, built in sorted(units.jobs.items()):
        job = built.job
        _add(stack, output_name(project, "job", kind, "id"), job.job_id, f"{kind} job id of project {project}")
        _add(stack, output_name(project, "job", kind, "url"), job.url, f"{kind} job URL of project {project}")
    for key, pipeline in sorted(units.pipelines.items()):
        _add(stack, output_name(project, "pipeline", key, "id"), pipeline.pipeline_id,
             f"pipeline {key} id of project {project}")
        _add(stack, output_name(project, "pipeline", key, "url"), pipeline.url,
             f"pipeline {key} URL of project {project}")
    for key, endpoint in sorted(units.serving.endpoints.items()):
        _add(stack, output_name(project, "endpoint", key, "name"), endpoint.name,
             f"serving endpoint {key} name of project {project}")
        _add(stack, output_name(project, "endpoint", key, "url"), endpoint.resource.endpoint_url,
             f"serving endpoint {key} invocation URL of project {project}")
    dashboard = units.observability.get("dashboard")
    if dashboard is not None:
        _add(stack, output_name(project, "dashboard", "url"), f"{base}/dashboardsv3/{dashboard.dashboard_id}/published",
             f"monitoring dashboard URL of project {project}")
    for key, volume in sorted(units.data.volumes.items()):
        _add(stack, output_name(project, "volume", key, "path"), volume.path, f"volume {key} path of project {project}")
    if units.code.resolved.root is not None:
        _add(stack, output_name(project, "code", "root"), units.code.resolved.root,
             f"workspace code root of project {project}")

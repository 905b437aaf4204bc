"""The rules that need the environment a project deploys to, in one place.

A project file is validated on its own first (its models' validators: every rule that needs
only the file). The loader then calls ``environment_findings`` once per (project, environment)
with the merged, validated project; each finding's key starts at the project file's root, and
``platform_config.rule_adapter.locate`` gives it file and line. Nothing else reads the environment
while validating a project.

What needs the environment: the roles a project names (they must exist there), service
principals named by key, whether serving may scale to zero, and the jobs' cloud, cluster
policies, run_as requirement and role members, the online store feature tables sync to
(``platform_config.features.check_features``), and the warehouses, notification destinations
and monitors/endpoints/tables a project's observability names (docs/observability.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from databricks_spec.formats import is_uuid
from databricks_spec.rules import Finding, jobs as job_rules
from platform_config.jobs import (RESERVED_PARAMETERS, FeatureEngineeringJobConfig, JobBase, JobsConfig,
                                  task_codes)
from platform_config.features import check_features
from platform_config.observability_rules import project_observability_problems
from platform_config.pipeline_rules import pipelines_problems
from platform_config.references import role_references

if TYPE_CHECKING:  # pragma: no cover
    from platform_config.environment import EnvironmentConfig, Principals
    from platform_config.project import ProjectConfig


def environment_findings(project: "ProjectConfig", env: "EnvironmentConfig",
                         roles: dict[str, "Principals"]) -> list[Finding]:
    """Every environment-dependent finding for ``project`` in ``env``; ``roles`` is the
    environment's roles overlaid with the project's."""
    out = _unknown_roles(project, env, roles)
    out += _project_principals(project, env)
    out += _scale_to_zero(project, env)
    out += [f.at("jobs") for f in _jobs(project.jobs, env, roles, project.code.source == "workspace")]
    out += [Finding(path, message) for path, message in pipelines_problems(project, env)]  # docs/pipelines.md
    out += check_features(project, env)  # online stores and feature lookup (docs/features.md)
    # warehouses, destinations and alert references (docs/observability.md)
    out += [Finding(path, message) for path, message in project_observability_problems(project, env)]
    return out


def _unknown_roles(project: "ProjectConfig", env: "EnvironmentConfig", roles: dict) -> list[Finding]:
    known = ", ".join(sorted(roles)) or "none"
    return [Finding(path, f"unknown role '{role}' in environment '{env.name}' (known: {known})")
            for path, role in role_references(project) if role not in roles]


def _project_principals(project: "ProjectConfig", env: "EnvironmentConfig") -> list[Finding]:
    """Project roles may name the environment's service principals by key: they must exist."""
    out = []
    known = ", ".join(sorted(env.service_principals)) or "none"
    for role, members in project.roles.items():
        for i, entry in enumerate(members.service_principals):
            if not is_uuid(entry) and entry not in env.service_principals:
                out.append(Finding(("roles", role, "service_principals", i),
                                   f"'{entry}' is neither an application id (UUID) nor a key of environment "
                                   f"'{env.name}' service_principals (known: {known})"))
    return out


def _scale_to_zero(project: "ProjectConfig", env: "EnvironmentConfig") -> list[Finding]:
    if env.serving.allow_scale_to_zero:
        return []
    return [Finding(("serving", "endpoints", key, "entities", name, "scale_to_zero"),
                    f"environment '{env.name}' does not allow scale-to-zero (serving.allow_scale_to_zero: "
                    "false in its environment file); set it to false for this environment, or add "
                    "scale_to_zero_override: true to opt in explicitly")
            for key, endpoint in project.serving.endpoints.items()
            for name, entity in endpoint.entities.items()
            if entity.scale_to_zero and not entity.scale_to_zero_override]


# --------------------------------------------------------------------------- jobs

def _members(roles: dict, role: str) -> list[tuple[str, str]]:
    return roles[role].all() if role in roles else []


def _reserved(kind: str, params: dict[str, str], path: tuple) -> list[Finding]:
    reserved = sorted(set(params) & RESERVED_PARAMETERS[kind])
    return [Finding(path, f"{', '.join(reserved)} set by the platform; choose other names")] if reserved else []


def _jobs(jobs: JobsConfig, env: "EnvironmentConfig", roles: dict, workspace_code: bool = False) -> list[Finding]:
    """Keys below 'jobs'."""
    cloud, policies = env.cloud, env.compute.cluster_policies
    out: list[Finding] = []
    enabled = dict(jobs.enabled_jobs())

    def settings_path(kind: str, job: JobBase, name: str) -> tuple:
        return (kind, name) if getattr(job, name) is not None else (name,)

    for name, profile in jobs.compute.items():
        cluster = profile.cluster
        if cluster is None:
            continue
        for field in ("node_type", "driver_node_type"):
            value = getattr(cluster, field)
            if isinstance(value, dict) and cloud not in value:
                out.append(Finding(("compute", name, "cluster", field),
                                   f"no node type for this environment's cloud '{cloud}' "
                                   f"(given: {', '.join(sorted(value))})"))
        if cluster.policy is not None and cluster.policy not in policies:
            known = ", ".join(sorted(policies)) or "none"
            out.append(Finding(("compute", name, "cluster", "policy"),
                               f"unknown cluster policy '{cluster.policy}' in this environment "
                               f"(compute.cluster_policies: {known})"))

    if jobs.retraining is not None and jobs.retraining.enabled and "training" not in enabled:
        out.append(Finding(("retraining",), "the retraining job runs the training job: configure and "
                                            "enable jobs.training in this environment"))

    if env.require_job_run_as:
        missing = [kind for kind, job in enabled.items() if jobs.resolve(job).run_as is None]
        for path in [()] if missing and len(missing) == len(enabled) else [(k,) for k in missing]:
            out.append(Finding(path, f"environment '{env.name}' sets require_job_run_as: set run_as (for all "
                                     "jobs: jobs.run_as) to a role standing for one service principal"))

    for kind, job in enabled.items():
        s = jobs.resolve(job)
        if s.compute is None:
            known = ", ".join(sorted(jobs.compute)) or "none"
            out.append(Finding((kind, "compute") if job.compute else ("compute",),
                               f"unknown compute profile '{s.compute_name}' (jobs.compute: {known})"))
        for path, code in task_codes(job):
            if code.path is not None:
                out += [f.at(kind, *path) for f in job_rules.relative_path(
                    code.path, jobs.git_source is not None or jobs.workspace_root is not None
                    or workspace_code,  # code.source workspace: docs/code-delivery.md
                    needs="jobs.git_source (path in the repository), jobs.workspace_root or code.source "
                          "workspace")]
            if code.python_wheel is not None and s.compute is not None:
                out += [f.at(kind, *path, "python_wheel", "wheel") for f in job_rules.serverless_wheel(
                    code.python_wheel.wheel, s.compute.serverless is not None,
                    f"jobs.compute.{s.compute_name}.serverless.dependencies")]
            out += _reserved(kind, code.parameters, (kind, *path, "parameters"))
        out += _reserved(kind, job.parameters, (kind, "parameters"))
        if isinstance(job, FeatureEngineeringJobConfig):
            for name, table in job.tables.items():
                out += _reserved(kind, table.parameters, (kind, "tables", name, "parameters"))

        if job.continuous is not None:
            if kind not in ("feature_engineering", "batch_inference"):
                out.append(Finding((kind, "continuous"),
                                   "continuous runs are only valid for feature_engineering and batch_inference "
                                   "(streaming) jobs; use a schedule or trigger"))
            out += [f.at(*settings_path(kind, job, "max_concurrent_runs"))
                    for f in job_rules.continuous_concurrency(s.max_concurrent_runs)]
        if s.notifications is not None:
            out += [f.at(*settings_path(kind, job, "notifications"), "on_duration_warning_threshold_exceeded")
                    for f in job_rules.duration_warning(
                        bool(s.notifications.on_duration_warning_threshold_exceeded), s.health, f"jobs.{kind}")]

        if s.run_as is not None and s.run_as in roles:
            out += [f.at(*settings_path(kind, job, "run_as")) for f in job_rules.run_as_identity(
                _members(roles, s.run_as), f"role '{s.run_as}'", " in this environment")]
        for role, level in s.permissions.items():
            if level == "IS_OWNER" and role in roles:
                out += [f.at(*settings_path(kind, job, "permissions"), role)
                        for f in job_rules.owner_identity(_members(roles, role), f"role '{role}'")]
    return out


"""Pipeline rules that need the environment or other project sections (volumes, jobs,
roles, cluster policies): ``pipelines_problems`` (called from ProjectConfig's validation,
so every message names file, line and key) and ``pipeline_names`` (name clashes across
projects, checked by the loader). The models are in platform_config/pipelines.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from databricks_spec import pipelines as spec
from platform_config.pipelines import PipelineClusterConfig, development_mode, enabled_pipelines, pipeline_name

if TYPE_CHECKING:
    from platform_config.environment import EnvironmentConfig
    from platform_config.project import ProjectConfig


def _single_identity(roles: dict, role: str) -> str | None:
    """Why ``role`` is not exactly one user or service principal, or None (unknown roles pass:
    the loader reports them)."""
    if role not in roles:
        return None
    members = roles[role].all()
    if len(members) == 1 and members[0][0] != "group_name":
        return None
    desc = ", ".join(f"{n} ({k.removesuffix('_name').replace('_', ' ')})" for k, n in members) or "nobody"
    return desc


def pipelines_problems(project: "ProjectConfig", env: "EnvironmentConfig") -> list[tuple[tuple, str]]:
    """Rules needing the environment or other sections. (key path, message); paths start at 'pipelines'."""
    out: list[tuple[tuple, str]] = []
    roles = {**env.roles, **project.roles}
    jobs = project.jobs
    volumes = ", ".join(sorted(project.volumes)) or "none"
    names: dict[str, str] = {}
    for key, p in enabled_pipelines(project):
        at = ("pipelines", key)
        name = pipeline_name(env, project, key)
        if name in names:
            out.append((at + (("name",) if p.name else ()),
                        f"pipeline name '{name}' (after the naming rule) is also the name of "
                        f"pipelines.{names[name]}: give one a different name"))
        names.setdefault(name, key)
        if development_mode(env, p) and not env.pipelines.development and not p.development_reason:
            out.append((at + ("development",),
                        f"development mode in environment '{env.name}' (pipelines.development: false) "
                        "needs development_reason: say why this pipeline may run without retries and "
                        "production cluster settings"))
        o = p.orchestration
        if p.continuous and (o.feature_engineering or o.job is not None):
            out.append((at + ("orchestration",),
                        "a continuous pipeline runs all the time and cannot also be run by a job "
                        "(continuous: false, or remove orchestration)"))
        if o.feature_engineering and (jobs.feature_engineering is None or not jobs.feature_engineering.enabled):
            out.append((at + ("orchestration", "feature_engineering"),
                        "configure and enable jobs.feature_engineering in this environment, which runs the "
                        "pipeline first"))
        for table, source in p.ingest.items():
            if source.volume is not None and source.volume not in project.volumes:
                out.append((at + ("ingest", table, "volume"),
                            f"unknown volume '{source.volume}' (the project's volumes: {volumes})"))
        if o.job is not None and o.job.file_arrival is not None:
            vol = o.job.file_arrival.volume
            if vol is not None and vol not in project.volumes:
                out.append((at + ("orchestration", "job", "file_arrival", "volume"),
                            f"unknown volume '{vol}' (the project's volumes: {volumes})"))
        targets = ", ".join(sorted(p.ingest)) or "none"
        for table in p.expectations:
            if table not in p.ingest:
                out.append((at + ("expectations", table),
                            f"no source of this pipeline writes table '{table}' (ingest tables: {targets})"))
        for i, lib in enumerate(p.libraries):
            if not spec.relative(lib.path):
                continue
            if project.code.source == "workspace":  # in the deployed code folder (docs/code-delivery.md)
                continue
            if jobs.git_source is None and jobs.workspace_root is None:
                out.append((at + ("libraries", i, lib.kind),
                            f"relative path {lib.path!r} needs jobs.git_source (path in the repository) "
                            "or jobs.workspace_root; or use an absolute /Workspace/... path"))
            elif jobs.git_source is not None and jobs.git_source.commit is not None:
                out.append((at + ("libraries", i, lib.kind),
                            "pipeline code from git is checked out as a Git folder, which follows a branch "
                            "or tag, not a commit: pin jobs.git_source with a tag, or use an absolute path"))
        if not p.serverless:
            c = p.cluster or PipelineClusterConfig()
            policies = env.compute.cluster_policies
            if c.policy is not None and c.policy not in policies:
                out.append((at + ("cluster", "policy"),
                            f"unknown cluster policy '{c.policy}' in this environment "
                            f"(compute.cluster_policies: {', '.join(sorted(policies)) or 'none'})"))
            for field in ("node_type", "driver_node_type"):
                value = getattr(c, field)
                if isinstance(value, dict) and env.cloud not in value:
                    out.append((at + ("cluster", field), f"no node type for this environment's cloud "
                                                         f"'{env.cloud}' (given: {', '.join(sorted(value))})"))
        if p.event_log is not None and p.event_log.schema_name is not None:
            if "." in p.event_log.schema_name:
                out.append((at + ("event_log", "schema"),
                            "a schema key or a schema name of the environment's catalog (no catalog part)"))
        if p.run_as is not None and (desc := _single_identity(roles, p.run_as)) is not None:
            out.append((at + ("run_as",), f"run_as role '{p.run_as}' must stand for exactly one service "
                                          f"principal or user in this environment, but it is: {desc}"))
        if p.run_as is None and env.require_job_run_as:
            out.append((at,
                        f"environment '{env.name}' sets require_job_run_as: set run_as on the pipeline to a "
                        "role standing for one service principal, so it does not run as its deployer"))
        for role, level in p.permissions.items():
            if level == "IS_OWNER" and (desc := _single_identity(roles, role)) is not None:
                out.append((at + ("permissions", role),
                            f"IS_OWNER must be exactly one user or service principal (a pipeline cannot be "
                            f"owned by a group), but role '{role}' is: {desc} "
                            "(provider docs: permissions, 'Pipelines usage')"))
    return out


def pipeline_names(project: "ProjectConfig", env: "EnvironmentConfig") -> dict[str, tuple]:
    """Databricks pipeline name -> key path of the entry, for clashes across projects."""
    out: dict[str, tuple] = {}
    for key, p in enabled_pipelines(project):
        out.setdefault(pipeline_name(env, project, key), ("pipelines", key) + (("name",) if p.name else ()))
    return out

"""Tags of every taggable unit (jobs, serving endpoints, pipelines): one precedence.

**Precedence (later wins):** the environment's ``tags``, then the project's
``tags``, then the unit's own tags (for a job: ``jobs.tags``, then the job's
``tags``; for an endpoint: its ``tags``), then the platform's keys, which always
win: ``project``, ``environment``, ``owner``, ``cost_center`` (when set) and, on
jobs and pipelines only and opt-in, ``iac_commit``.

The platform's keys win so cost attribution and ownership cannot be overridden by
a tag written in YAML: a project tag ``owner: x`` never replaces the project's
``owner`` field on any unit.
"""

from __future__ import annotations

from typing import Mapping

from platform_config import EnvironmentConfig, ProjectConfig

#: The keys the platform sets on every taggable unit; they override any configured tag.
PLATFORM_KEYS = ("project", "environment", "owner", "cost_center", "iac_commit")


def platform_tags(env: EnvironmentConfig, project: ProjectConfig,
                  iac_commit: str | None = None) -> dict[str, str]:
    """The platform's own keys for one project's unit (``iac_commit`` only when given)."""
    tags = {"project": project.name, "environment": env.name, "owner": project.owner}
    if project.cost_center:
        tags["cost_center"] = project.cost_center
    if iac_commit:
        tags["iac_commit"] = iac_commit
    return tags


def unit_tags(env: EnvironmentConfig, project: ProjectConfig, *own: Mapping[str, str],
              iac_commit: str | None = None) -> dict[str, str]:
    """The tags of one unit by the module's precedence; ``own``: the unit's tag maps,
    lowest first (e.g. ``jobs.tags``, then the job's ``tags``)."""
    tags: dict[str, str] = {**env.tags, **project.tags}
    for layer in own:
        tags.update(layer)
    tags.update(platform_tags(env, project, iac_commit))
    return tags


def environment_tags(env: EnvironmentConfig, *own: Mapping[str, str]) -> dict[str, str]:
    """Tags of an environment-wide unit (a SQL warehouse): the environment's ``tags``, then the
    unit's own, then the platform's key ``environment`` (same precedence, no project keys)."""
    tags: dict[str, str] = dict(env.tags)
    for layer in own:
        tags.update(layer)
    tags["environment"] = env.name
    return tags

"""Per-developer dev targets: ``--dev-user NAME`` / ``MLOPS_DEV_USER`` (docs/code-delivery.md,
"Dev isolation").

A dev target is one developer's own copy of an environment's ML projects, so two engineers
never overwrite each other's dev jobs. It is what ``mode: development`` of Databricks Asset
Bundles does (a name prefix per user, paused schedules, development-mode pipelines, a tag),
decided here as values so the stacks stay mapping-only:

* **Own, prefixed** (:meth:`DevUserEnvironment.object_name`): every workspace object of a
  project: jobs, pipelines, serving endpoints, experiments, Git folders, monitor asset
  folders, dashboards, alerts and their jobs: ``<user>-<the environment's rule applied>``,
  e.g. ``alice-dev-churn-training-job``.
* **Own, prefixed** (:func:`dev_user_project`): the project's Unity Catalog schemas,
  ``<user>_<schema>`` (``alice_churn_features``) in the environment's catalog, and so
  everything in them: volumes, tables the jobs and pipelines write, feature and synced
  tables, Lakehouse monitors, the registered model. A model kept in a schema outside the
  project is named ``<user>_<model>``. Terraform state cannot share an object between two
  states, and two pipelines cannot publish one table: a developer who wrote into a shared
  schema would overwrite the others' tables.
* **Shared, not deployed** (the dev target's stacks hold no platform units,
  ``stacks.layout``): the environment's catalog and its grants, service principals, secret
  scopes, cluster policies, SQL warehouses, notification destinations, online stores and
  permissions on shared workspace objects. The shared deployment of the environment owns
  them; a dev target only refers to them by name (``names.environment_object_name``).
* Tables written as ``catalog.schema.table`` are taken as written: they are shared objects.
* Disposable: schedules paused, pipelines in development mode, no prevent_destroy by default,
  schemas destroyed with their contents; every taggable unit tagged ``dev_user: <user>``.

Only an environment that CI does not deploy accepts a dev user (dev, not staging or prod):
:func:`dev_user_problem`. Pure functions of config values: no jsii.
"""

from __future__ import annotations

import dataclasses
import re

from platform_config import EnvironmentConfig, Platform, ProjectConfig
from platform_config.base import snake
from platform_config.delivery import deployed_by_ci
from platform_config.governance import project_schema_name
from resolution.names import DEFAULT_MODEL_SCHEMA_KEY, environment_object_name, model_name

#: A dev user's name: it becomes a prefix of job, endpoint and schema names, so only lowercase
#: letters, digits and single '-' between them, starting with a letter, 2 to 32 characters.
DEV_USER_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,31}$")

#: The tag every taggable unit of a dev target carries (bundles tag dev resources the same way).
DEV_USER_TAG = "dev_user"


def dev_user_name_problem(user: str) -> str | None:
    """Why ``user`` cannot name a dev target, or None when it can."""
    if DEV_USER_PATTERN.match(user):
        return None
    shown = user if len(user) <= 40 and user.isprintable() else repr(user[:40]) + "…"
    return (f"dev user {shown!r} is not a valid name: use 2 to 32 lowercase letters, digits and "
            "single '-', starting with a letter (e.g. 'alice' or 'pr-123'; 'jane.doe' -> 'jane-doe')")


def dev_user_problem(env: EnvironmentConfig, user: str) -> str | None:
    """Why environment ``env`` cannot have a dev target for ``user``, or None when it can."""
    problem = dev_user_name_problem(user)
    if problem:
        return problem
    if deployed_by_ci(env):
        return (f"environment '{env.name}' is deployed by CI: it has no per-developer targets; "
                "use --dev-user only with an environment engineers deploy themselves (e.g. dev)")
    return None


class DevUserEnvironment(EnvironmentConfig):
    """An environment as one developer's dev target sees it: the same config, with the dev
    user's prefix on every workspace object a project owns.

    Built by :func:`dev_user_platform` from a validated environment (never from YAML)."""

    dev_user: str
    """The developer (validated by :func:`dev_user_name_problem`)."""

    def object_name(self, base: str) -> str:
        """``<user><separator><the environment's rule applied to base>``."""
        return f"{self.dev_user}{self.naming.separator}{environment_object_name(self, base)}"


def dev_user_of(env: EnvironmentConfig) -> str | None:
    """The dev user whose target ``env`` is, or None for the environment's shared target."""
    return env.dev_user if isinstance(env, DevUserEnvironment) else None


def dev_user_environment(env: EnvironmentConfig, user: str) -> DevUserEnvironment:
    """``env`` for ``user``'s dev target: schedules paused, pipelines in development mode,
    every taggable unit tagged ``dev_user: <user>``, and disposable: no prevent_destroy by
    default and schemas destroyed with their tables (``ResolvedSchema.force_destroy``).
    The caller checked :func:`dev_user_problem`."""
    fields = {name: getattr(env, name) for name in EnvironmentConfig.model_fields}
    fields["pause_schedules"] = True
    fields["tags"] = {**env.tags, DEV_USER_TAG: user}
    fields["pipelines"] = env.pipelines.model_copy(update={"development": True})
    fields["protection"] = env.protection.model_copy(update={"prevent_destroy": False})
    return DevUserEnvironment.model_construct(_fields_set=env.model_fields_set | {"dev_user"},
                                              dev_user=user, **fields)


def _prefix_path(path: str, user: str) -> str:
    """/Shared/x/churn-experiment -> /Shared/x/<user>-churn-experiment."""
    head, _, last = path.rstrip("/").rpartition("/")
    return f"{head}/{user}-{last}"


def dev_user_project(project: ProjectConfig, user: str) -> ProjectConfig:
    """``project`` (as merged for the environment) in ``user``'s dev target: its schemas are
    ``<user>_<name>``; configured experiment and monitor asset paths get ``<user>-`` on
    their last part; a model kept outside the project's schemas is ``<user>_<model>``."""
    prefix = snake(user) + "_"
    schemas = {key: cfg.model_copy(update={"name": prefix + project_schema_name(project, key)})
               for key, cfg in project.schemas.items()}
    update: dict = {"schemas": schemas}
    model = project.model
    if (model.schema_name or DEFAULT_MODEL_SCHEMA_KEY) not in project.schemas:
        update["model"] = model.model_copy(update={"name": prefix + model_name(project)})
    if project.experiment.path:
        update["experiment"] = project.experiment.model_copy(
            update={"path": _prefix_path(project.experiment.path, user)})
    if any(m.assets_dir for m in project.monitors.values()):
        update["monitors"] = {key: m.model_copy(update={"assets_dir": _prefix_path(m.assets_dir, user)})
                              if m.assets_dir else m for key, m in project.monitors.items()}
    return project.model_copy(update=update)


def dev_user_platform(platform: Platform, env_name: str, user: str) -> Platform:
    """The platform holding only ``user``'s dev target of environment ``env_name``.

    The caller checked :func:`dev_user_problem`; the result's names are checked again
    (resolution.checks) before anything is built."""
    env = dev_user_environment(platform.environments[env_name], user)
    targets = [dataclasses.replace(t, env=env, project=dev_user_project(t.project, user))
               for t in platform.targets.get(env_name, [])]
    sources = {env_name: platform.sources[env_name]} if env_name in platform.sources else {}
    return dataclasses.replace(platform, environments={env_name: env}, targets={env_name: targets},
                               sources=sources)

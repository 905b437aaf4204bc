"""Who deploys an environment, and the state rule that follows (docs/delivery.md, "State").

The shipped workflows deploy ``staging`` (``deploy-staging.yml``) and ``prod``
(``release.yml``) on throwaway GitHub runners, and the drift workflow plans every
environment CI deploys. A local state file on such a runner is gone after the
run: the next deploy would try to create everything again. So an environment
deployed by CI with ``backend: {type: local}`` is a config error, unless the
backend says ``allow_local_state: true`` with a ``reason`` (e.g. a self-hosted
runner with a persistent disk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from platform_config.base import Model

if TYPE_CHECKING:  # pragma: no cover
    from platform_config.environment import EnvironmentConfig

#: Environments the shipped workflows deploy by name (deploy-staging.yml, release.yml).
WORKFLOW_ENVIRONMENTS = {"staging": "deploy-staging.yml", "prod": "release.yml"}


class DeliveryConfig(Model):
    """How an environment is deployed."""

    deployed_by: Literal["ci", "manual"] | None = None
    """ci: a workflow deploys it on a CI runner (it then needs a remote state backend and is
    planned nightly for drift). manual: engineers deploy it from their machines.
    Default: ci for staging and prod (the shipped workflows deploy them), manual otherwise."""


def deployed_by_ci(env: "EnvironmentConfig") -> bool:
    """Whether CI deploys ``env``: the shipped workflows deploy it, or its config says so."""
    return env.name in WORKFLOW_ENVIRONMENTS or env.delivery.deployed_by == "ci"


def delivery_problems(env: "EnvironmentConfig") -> list[tuple[tuple, str]]:
    """(key path, message) for every delivery rule ``env`` breaks."""
    errors: list[tuple[tuple, str]] = []
    workflow = WORKFLOW_ENVIRONMENTS.get(env.name)
    if workflow and env.delivery.deployed_by == "manual":
        errors.append((("delivery", "deployed_by"),
                       f"the shipped workflow .github/workflows/{workflow} deploys '{env.name}'; "
                       "remove this key (or the workflow), or keep local state with "
                       "backend.allow_local_state and a reason"))
    backend = env.backend
    if backend.type == "local" and deployed_by_ci(env) and not backend.allow_local_state:
        who = f".github/workflows/{workflow}" if workflow else "CI (delivery.deployed_by: ci)"
        errors.append((("backend", "type"),
                       f"'{env.name}' is deployed by {who} on throwaway runners: a local state file "
                       "is lost after every run and the next deploy would recreate everything; use a "
                       "remote backend (azurerm, s3, gcs or cloud; docs/delivery.md, State) or set "
                       "allow_local_state: true with a reason"))
    return errors

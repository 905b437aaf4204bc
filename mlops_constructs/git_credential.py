"""GitCredential: a Git credential (databricks_git_credential) so jobs can check out private repositories.

Whose credential: a Git credential belongs to the identity the provider authenticates as (provider
docs: git_credential, "can only be used with a workspace-level provider"; ``force`` "to overwrite
previously set credential for service principals"). To give a job's run_as service principal a
credential, pass a provider authenticated AS that principal (``provider``); without one, the
credential is the deploying identity's own. The token must be a token (a sensitive Terraform
variable), never a literal: the construct refuses a literal value so it cannot reach the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


from databricks_spec.diagnostics import ConstructError
from databricks_spec.enums import GIT_PROVIDERS
from mlops_constructs.rule_adapter import known
from mlops_engine.databricks import GitCredential
from mlops_constructs.unit import FlatUnit, Scope

#: git_provider values of git_credential beyond the job git_source ones (provider docs: git_credential).
CREDENTIAL_PROVIDERS = GIT_PROVIDERS | {"awsCodeCommit", "azureDevOpsServicesAad"}


@dataclass(frozen=True, kw_only=True)
class GitCredentialProps:
    git_provider: str
    """gitHub, gitLab, azureDevOpsServices, ... (case-insensitive at the service)."""
    personal_access_token: str
    """A token referencing a sensitive variable (``TerraformVariable(sensitive=True).string_value``)."""
    git_username: str | None = None
    """Default: unset (some providers require it)."""
    git_email: str | None = None
    """Default: unset."""
    provider: Any = None
    """The databricks provider to create it with, authenticated as the identity the credential is
    for. Default: the stack's default provider (the deploying identity)."""
    force: bool | None = None
    """Overwrite a credential the identity already has. Default: unset (false)."""


class GitCredentialUnit(FlatUnit):
    """databricks_git_credential ("Resource")."""

    def __init__(self, scope: Scope, id: str, props: GitCredentialProps):
        super().__init__(scope, id)
        if props.git_provider.lower() not in {p.lower() for p in CREDENTIAL_PROVIDERS}:
            raise ConstructError(self, f"unknown git_provider {props.git_provider!r} (provider docs: git_credential)")
        if known(props.personal_access_token):
            raise ConstructError(self, "personal_access_token must come from a sensitive Terraform variable, "
                                       "never a literal")
        self.resource = GitCredential(*self.at("Resource"), git_provider=props.git_provider,
                                      personal_access_token=props.personal_access_token,
                                      git_username=props.git_username, git_email=props.git_email,
                                      force=props.force, provider=props.provider)

"""NotificationDestination: a databricks_notification_destination whose secrets come from
sensitive Terraform variables, or a reference to one.

The construct takes the *values* of the secret fields (webhook URL, PagerDuty integration
key, webhook password) as tokens: the stack passes ``TerraformVariable(sensitive=True)``
values, so the synthesized JSON holds ``${var.<name>}`` and never a secret. A literal
(non-token) secret is refused. ``from_id`` names a destination managed elsewhere;
``from_name`` reads one created by another stack through the databricks_notification_destinations
data source (exact display name and type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


from databricks_spec.diagnostics import ConstructError
from databricks_spec.observability import DESTINATION_TYPES, destination_type_problem
from databricks_spec.rules import findings_at
from mlops_constructs.rule_adapter import refuse
from mlops_engine import Token
from mlops_engine.databricks import (DataDatabricksNotificationDestinations, NotificationDestination as
                                     NotificationDestinationResource, NotificationDestinationConfigA,
                                     NotificationDestinationConfigEmail, NotificationDestinationConfigGenericWebhook,
                                     NotificationDestinationConfigMicrosoftTeams,
                                     NotificationDestinationConfigPagerduty, NotificationDestinationConfigSlack)
from mlops_constructs.reference import reference_unit
from mlops_constructs.unit import FlatUnit, Scope

_BLOCKS = {"email": NotificationDestinationConfigEmail, "slack": NotificationDestinationConfigSlack,
           "microsoft_teams": NotificationDestinationConfigMicrosoftTeams,
           "pagerduty": NotificationDestinationConfigPagerduty,
           "generic_webhook": NotificationDestinationConfigGenericWebhook}


@dataclass(frozen=True, kw_only=True)
class NotificationDestinationProps:
    display_name: str
    """Required."""
    type: str
    """email, slack, microsoft_teams, pagerduty or generic_webhook. Required."""
    addresses: tuple[str, ...] = ()
    """email: the addresses. Default: none."""
    username: str | None = None
    """generic_webhook: basic-auth user. Default: none."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Secret field (url, integration_key, password) -> a token of a sensitive variable.
    Default: none (an email destination needs none)."""


class NotificationDestination(FlatUnit):
    """databricks_notification_destination ("Resource"); ``destination_id`` is its id."""

    @classmethod
    def from_id(cls, scope: Scope, id: str, destination_id: str) -> "NotificationDestination":
        """A destination managed elsewhere, by id: nothing is emitted."""
        unit = reference_unit(cls, scope, id)
        unit.destination_id = destination_id
        return unit

    @classmethod
    def from_name(cls, scope: Scope, id: str, display_name: str, lookup_type: str) -> "NotificationDestination":
        """A destination created by another stack, read by exact display name and type (data
        source named "Resource"). Its id is the one whose display name equals ``display_name``."""
        unit = reference_unit(cls, scope, id)
        data = DataDatabricksNotificationDestinations(*unit.at("Resource"), display_name_contains=display_name,
                                                      type=lookup_type)
        unit.data = data
        name = display_name.replace("\\", "\\\\").replace('"', '\\"')
        address = f"data.databricks_notification_destinations.{data.friendly_unique_id}"
        unit.destination_id = (f"${{one([for d in {address}.notification_destinations : d.id "
                               f"if d.display_name == \"{name}\"])}}")
        return unit

    def __init__(self, scope: Scope, id: str, props: NotificationDestinationProps):
        super().__init__(scope, id)
        refuse(self, findings_at(("type",), destination_type_problem(props.type)))
        block, _, fields, required = DESTINATION_TYPES[props.type]
        for name, value in props.secrets.items():
            if name not in fields:
                raise ConstructError(self, f"{props.type} takes no {name}", key=name)
            if not Token.is_unresolved(value):
                raise ConstructError(self, f"{name} must come from a sensitive Terraform variable, not a literal",
                                     key=name)
        missing = [f for f in required if f not in props.secrets]
        if missing:
            raise ConstructError(self, f"{props.type} needs {', '.join(missing)} (a sensitive variable)",
                                 key=missing[0])
        if props.type == "email" and not props.addresses:
            raise ConstructError(self, "an email destination needs addresses", key="addresses")
        args: dict = dict(props.secrets)
        if props.type == "email":
            args["addresses"] = sorted(set(props.addresses))
        if props.username is not None:
            args["username"] = props.username
        config = NotificationDestinationConfigA(**{block: _BLOCKS[block](**args)})
        self.resource = NotificationDestinationResource(*self.at("Resource"), display_name=props.display_name,
                                                        config=config)
        self.destination_id: str = self.resource.id

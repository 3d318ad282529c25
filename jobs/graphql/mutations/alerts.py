"""Mutations on alert rules: create, update, delete, through :mod:`jobs.services.alerts`."""

from __future__ import annotations

from typing import Any

import graphene

from jobs import services
from jobs.core.states import AlertKind
from jobs.graphql.access import VIA
from jobs.graphql.mutations.base import ServiceMutation, given
from jobs.graphql.types import AlertRuleType


class AlertRuleFields:
    """The editable fields (``jobs.core.alert_rules.EDITABLE``); the services hold the rules."""

    name = graphene.String()
    kind = graphene.String(description=f"One of {', '.join(AlertKind.values)}.")
    queue = graphene.String(description="Empty: every queue.")
    task = graphene.String(description="Empty: every task.")
    threshold = graphene.Float(description="N in the kind's description.")
    window_minutes = graphene.Int()
    min_jobs = graphene.Int()
    repeat_minutes = graphene.Int()
    enabled = graphene.Boolean()
    webhook_url = graphene.String()
    email_recipients = graphene.String(description="Comma-separated addresses.")
    description = graphene.String()


class CreateAlertRuleInput(AlertRuleFields, graphene.InputObjectType):
    name = graphene.String(required=True)
    kind = graphene.String(required=True, description=f"One of {', '.join(AlertKind.values)}.")
    threshold = graphene.Float(required=True, description="N in the kind's description.")


class UpdateAlertRuleInput(AlertRuleFields, graphene.InputObjectType):
    pass


class CreateAlertRule(ServiceMutation):
    class Arguments:
        input = CreateAlertRuleInput(required=True)

    alert_rule = graphene.Field(AlertRuleType)
    action = "create_alert_rule"

    @classmethod
    def perform(cls, user: Any, input: Any) -> dict[str, Any]:
        return {"alert_rule": services.create_alert_rule(**given(input))}


class UpdateAlertRule(ServiceMutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = UpdateAlertRuleInput(required=True)

    alert_rule = graphene.Field(AlertRuleType)
    action = "update_alert_rule"

    @classmethod
    def perform(cls, user: Any, id: str, input: Any) -> dict[str, Any]:
        return {"alert_rule": services.update_alert_rule(id, **given(input))}


class DeleteAlertRule(ServiceMutation):
    """Deletes the rule with its alerts and their events."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    action = "delete_alert_rule"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"deleted_id": str(services.delete_alert_rule(id, user=user, via=VIA).pk)}

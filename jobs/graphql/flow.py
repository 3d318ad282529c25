"""Flow control in GraphQL (issue 15): ``flow { tasks queues breakers }``,
``forceBreaker(name:, open:)`` and the operators' overrides of limits
(``flowOverrides``, ``saveFlowOverride``, ``updateFlowOverride``, ``deleteFlowOverride``),
over :mod:`jobs.services.flow`."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from jobs.graphql.access import VIA, require
from jobs.graphql.mutations.base import ServiceMutation, given
from jobs.models import FlowOverride
from jobs.services import flow


class FlowScopeType(graphene.ObjectType):
    scope = graphene.String(required=True)
    concurrency = graphene.Int()
    in_use = graphene.Int(required=True)
    waiting = graphene.Int(required=True)
    rate = graphene.String()
    budget = graphene.Int(description="Starts left in the rate window now.")
    window_opens_in = graphene.Float(description="Seconds until a start is free.")
    held_total = graphene.Int(required=True)
    rate_limited_total = graphene.Int(required=True)


class BreakerType(graphene.ObjectType):
    name = graphene.String(required=True)
    state = graphene.String(required=True, description="closed, open or half_open.")
    forced = graphene.Boolean(required=True)
    until = graphene.DateTime()
    opened_at = graphene.DateTime()
    failures = graphene.Int(required=True)
    threshold = graphene.Int(required=True)
    window = graphene.Float(required=True)
    recovery = graphene.Float(required=True)
    ignore = graphene.List(graphene.NonNull(graphene.String), required=True)


class TaskFlowType(graphene.ObjectType):
    task = graphene.String(required=True)
    concurrency = graphene.Int()
    concurrency_key = graphene.List(graphene.NonNull(graphene.String), required=True)
    rate_limit = graphene.String()
    unique_for = graphene.Float()
    unique_key = graphene.List(graphene.NonNull(graphene.String), required=True)
    breaker = graphene.String()
    scopes = graphene.List(graphene.NonNull(FlowScopeType), required=True)


class FlowType(graphene.ObjectType):
    tasks = graphene.List(graphene.NonNull(TaskFlowType), required=True)
    queues = graphene.List(graphene.NonNull(FlowScopeType), required=True)
    breakers = graphene.List(graphene.NonNull(BreakerType), required=True)


class FlowOverrideType(DjangoObjectType):
    id = graphene.ID(required=True)
    updated_by = graphene.String(description="The username of who changed it last.")

    class Meta:
        model = FlowOverride
        fields = ("id", *flow.OVERRIDE_FIELDS, "updated_at", "updated_by")
        convert_choices_to_enum = False

    def resolve_updated_by(self: FlowOverride, info: Any) -> str | None:
        return self.updated_by.username if self.updated_by_id else None


class FlowQuery(graphene.ObjectType):
    flow = graphene.Field(FlowType, required=True, description="Limits, their usage now, and the breakers.")
    flow_overrides = graphene.List(
        graphene.NonNull(FlowOverrideType),
        required=True,
        description="Operators' limits.",
    )

    def resolve_flow_overrides(self, info: Any) -> list[FlowOverride]:
        require(info, "view_flow")
        return list(flow.overrides())

    def resolve_flow(self, info: Any) -> FlowType:
        require(info, "view_flow")
        overview = flow.flow_overview()
        return FlowType(
            tasks=[
                TaskFlowType(**{**row, "scopes": [FlowScopeType(**scope) for scope in row["scopes"]]})
                for row in overview["tasks"]
            ],
            queues=[FlowScopeType(**row) for row in overview["queues"]],
            breakers=[BreakerType(**row) for row in overview["breakers"]],
        )


class ForceBreaker(ServiceMutation):
    """Open a breaker until closed by hand (its jobs wait), or close it (they run now)."""

    class Arguments:
        name = graphene.String(required=True)
        open = graphene.Boolean(required=True)

    breaker = graphene.Field(BreakerType)
    action = "force_breaker"

    @classmethod
    def perform(cls, user: Any, name: str, open: bool) -> dict[str, Any]:
        return {"breaker": BreakerType(**flow.force_breaker(name, open=open, user=user, via=VIA))}


class FlowOverrideInput(graphene.InputObjectType):
    kind = graphene.String(description="task, queue or breaker.")
    name = graphene.String(description="The task's registered name, the queue's, or the breaker's.")
    concurrency = graphene.Int(description="At most this many at once; null: as in code.")
    rate_limit = graphene.String(description='e.g. "100/m"; empty: as in code.')
    concurrency_key = graphene.String(description="Parameters, comma-separated; empty: as in code.")
    threshold = graphene.Int(description="A breaker's failures within its window that open it.")
    window = graphene.Float(description="A breaker's window, seconds.")
    recovery = graphene.Float(description="A breaker's recovery timeout, seconds.")


class SaveFlowOverride(ServiceMutation):
    """Set a task's or queue's limits, or a breaker's settings (replacing its override, if any); audited."""

    class Arguments:
        input = FlowOverrideInput(required=True)

    override = graphene.Field(FlowOverrideType)
    action = "override_limits"

    @classmethod
    def perform(cls, user: Any, input: Any) -> dict[str, Any]:
        values = {field: input.get(field) for field in flow.OVERRIDE_FIELDS}
        return {"override": flow.save_override(**values, user=user, via=VIA)}


class UpdateFlowOverride(ServiceMutation):
    """Change the fields given of an override; audited."""

    class Arguments:
        id = graphene.ID(required=True)
        input = FlowOverrideInput(required=True)

    override = graphene.Field(FlowOverrideType)
    action = "override_limits"

    @classmethod
    def perform(cls, user: Any, id: str, input: Any) -> dict[str, Any]:
        return {"override": flow.update_override(id, user=user, via=VIA, **given(input))}


class DeleteFlowOverride(ServiceMutation):
    """Back to the limits in code or settings; audited."""

    class Arguments:
        id = graphene.ID(required=True)

    ok = graphene.Boolean()
    action = "override_limits"

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        flow.delete_override(id, user=user, via=VIA)
        return {"ok": True}

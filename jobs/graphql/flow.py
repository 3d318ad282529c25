"""Flow control in GraphQL (issue 15): ``flow { tasks queues breakers }`` and
``forceBreaker(name:, open:)``, over :mod:`jobs.services.flow`."""

from __future__ import annotations

from typing import Any

import graphene

from jobs.graphql.access import VIA, require
from jobs.graphql.mutations.base import ServiceMutation
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


class FlowQuery(graphene.ObjectType):
    flow = graphene.Field(FlowType, required=True, description="Limits, their usage now, and the breakers.")

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

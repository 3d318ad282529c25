"""The worker fleet in GraphQL: ``pools``, ``fleetWorkers``, ``resizePool``, ``stopWorker``.

Fields are :data:`jobs.services.shapes.POOL_FIELDS` and ``FLEET_WORKER_FIELDS``, as in REST.
"""

from __future__ import annotations

from typing import Any

import graphene

from jobs.graphql.access import require
from jobs.graphql.mutations.base import ServiceMutation
from jobs.services import fleet


class PoolType(graphene.ObjectType):
    name = graphene.String(required=True)
    queues = graphene.List(graphene.NonNull(graphene.String), required=True)
    worker_class = graphene.String(required=True)
    concurrency = graphene.Int(required=True)
    min_workers = graphene.Int(required=True)
    max_workers = graphene.Int(required=True)
    pinned = graphene.Int(description="A size an operator pinned; null: autoscaling.")
    processes = graphene.Int(required=True)
    busy = graphene.Int(required=True)
    slots = graphene.Int(required=True)
    healthy = graphene.Int(required=True)
    unhealthy = graphene.Int(required=True)
    memory_mb = graphene.Float(required=True)
    hosts = graphene.List(graphene.NonNull(graphene.String), required=True)


class FleetWorkerType(graphene.ObjectType):
    name = graphene.String(required=True)
    pool = graphene.String(required=True)
    host = graphene.String(required=True)
    pid = graphene.Int(required=True)
    state = graphene.String(required=True)
    healthy = graphene.Boolean(required=True)
    failures = graphene.Int(required=True)
    busy = graphene.Int(required=True)
    memory_mb = graphene.Float()
    started_at = graphene.DateTime(required=True)
    seen_at = graphene.DateTime(required=True)
    stopped_at = graphene.DateTime()
    exit_status = graphene.Int()
    reason = graphene.String(required=True)


class FleetQuery(graphene.ObjectType):
    pools = graphene.List(graphene.NonNull(PoolType), required=True)
    fleet_workers = graphene.List(graphene.NonNull(FleetWorkerType), required=True)

    def resolve_pools(self, info: Any) -> list:
        require(info, "view_fleet")
        return fleet.list_pools()

    def resolve_fleet_workers(self, info: Any) -> list:
        require(info, "view_fleet")
        return list(fleet.live_workers())


class ResizePool(ServiceMutation):
    """Pin a pool's size (workers per host), or give it back to autoscaling with ``workers: null``."""

    action = "resize_pool"

    class Arguments:
        name = graphene.String(required=True)
        workers = graphene.Int()

    pool = graphene.Field(PoolType)

    @classmethod
    def perform(cls, user: Any, name: str, workers: int | None = None) -> dict[str, Any]:
        return {"pool": fleet.resize_pool(name, workers, user=user)}


class StopWorker(ServiceMutation):
    """Ask one worker to shut down gracefully; its pool's supervisor replaces it if needed."""

    action = "stop_worker"

    class Arguments:
        name = graphene.String(required=True)

    worker = graphene.Field(FleetWorkerType)

    @classmethod
    def perform(cls, user: Any, name: str) -> dict[str, Any]:
        return {"worker": fleet.stop_worker(name, user=user)}


class FleetMutation(graphene.ObjectType):
    resize_pool = ResizePool.Field()
    stop_worker = StopWorker.Field()

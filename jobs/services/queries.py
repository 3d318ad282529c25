"""Reads several interfaces share, so none of them reaches into the engine for them.

The admin, REST, GraphQL and the dashboard list workers and show the scheduler's
heartbeat; these come from Redis through the engine, and every interface gets them
here, with one answer when Redis is down.
"""

from __future__ import annotations

from datetime import datetime

from jobs.engine import broker, django_rq_pages
from jobs.engine.worker_registry import WorkerInfo, alive_count, list_workers
from jobs.monitoring.counters import scheduler_heartbeat

__all__ = [
    "WorkerInfo",
    "alive_count",
    "django_rq_pages",
    "list_workers",
    "scheduler_heartbeat",
    "scheduler_heartbeat_or_none",
    "workers_or_none",
]


def workers_or_none() -> list[WorkerInfo] | None:
    """The workers RQ lists, or None when Redis can't be asked (pages show "unknown")."""
    try:
        return list_workers()
    except broker.RedisError:
        return None


def scheduler_heartbeat_or_none() -> datetime | None:
    """When the scheduler last beat; None if it never did or Redis can't be asked."""
    try:
        return scheduler_heartbeat()
    except broker.RedisError:
        return None

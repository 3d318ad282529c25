"""Flow control for people: what the limits and breakers are doing, and forcing a breaker.

Limits are set in code (``@task(concurrency=…)``) and settings
(``JOBS["FLOW_QUEUES"]``, ``JOBS["FLOW_BREAKERS"]``); these reads show them with their
usage now, and :func:`force_breaker` is the operator's lever when a bank API goes down
at 3 a.m. (or comes back), written to the :class:`~jobs.models.FlowChange` audit.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.core.registry import all_tasks, get_task
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.flow import breakers, reads, waiting
from jobs.exceptions import Invalid, NotFound
from jobs.models import FlowChange, Job


class UnknownBreaker(NotFound):
    code = "unknown_breaker"


FlowUnavailable = broker.RedisError
"""Raised by the reads when Redis, where flow control keeps its state, doesn't answer."""


def _when(timestamp: float | None) -> datetime | None:
    if timestamp is None or timestamp >= breakers.FOREVER:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC)


def breaker_row(state: breakers.BreakerState) -> dict[str, Any]:
    spec = breakers.spec(state.name)
    return {
        "name": state.name,
        "state": state.state,
        "forced": state.forced,
        "until": _when(state.until) if state.state != "closed" else None,
        "opened_at": _when(state.opened_at) if state.state != "closed" else None,
        "failures": state.failures,
        "threshold": spec.threshold,
        "window": spec.window,
        "recovery": spec.recovery,
        "ignore": list(spec.ignore),
    }


def task_flow(name: str) -> dict[str, Any]:
    """A task's limits and their usage now (each keyed scope seen so far).

    Raises:
        UnknownTask: for a name not registered.
    """
    task = get_task(name)
    return {
        "task": task.name,
        "concurrency": task.concurrency,
        "concurrency_key": list(task.concurrency_key),
        "rate_limit": str(task.rate_limit) if task.rate_limit else None,
        "unique_for": task.unique_for,
        "unique_key": list(task.unique_key),
        "breaker": task.breaker,
        "scopes": [asdict(usage) for usage in reads.task_usage(task.name)],
    }


def queue_flow(name: str) -> dict[str, Any] | None:
    """A queue's limits and their usage now; None if it has none."""
    usage = reads.queue_usage(name)
    return asdict(usage) if usage else None


def flow_overview() -> dict[str, Any]:
    """Every task with a limit or a breaker, every limited queue, every breaker."""
    limited = [t.name for t in all_tasks() if t.concurrency or t.rate_limit or t.breaker or t.is_unique]
    queues = [usage for name in conf.get().QUEUES if (usage := queue_flow(name))]
    return {
        "tasks": [task_flow(name) for name in limited],
        "queues": queues,
        "breakers": [breaker_row(state) for state in reads.all_breakers()],
    }


def job_wait(job: Job) -> str | None:
    """``"waiting: bank-api breaker open until 10:42:05"`` for a job held by flow control."""
    if job.status != JobStatus.SCHEDULED:
        return None
    note = waiting.note(str(job.pk))
    return f"waiting: {note['reason']}" if note else None


def breaker(name: str) -> dict[str, Any]:
    """One breaker's state and settings.

    Raises:
        UnknownBreaker: for a breaker no task, setting or outcome ever named.
    """
    _check_breaker(name)
    return breaker_row(breakers.state(name))


def _check_breaker(name: Any) -> None:
    if not isinstance(name, str):
        raise Invalid("A breaker is named by a string.", fields={"name": "invalid"})
    if name not in breakers.known():
        raise UnknownBreaker(f"Unknown breaker {name!r}.", fields={"name": "unknown"})


def force_breaker(name: str, *, open: bool, user: Any = None, via: str = "code") -> dict[str, Any]:
    """Force a breaker open (its jobs wait until it is closed) or closed (they run now).

    Raises:
        UnknownBreaker: for a breaker no task, setting or outcome ever named.
        Invalid: for a name that isn't a string.
    """
    _check_breaker(name)
    with transaction.atomic():
        FlowChange.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            interface=via,
            target=f"breaker:{name}",
            change="forced open" if open else "forced closed",
            created_at=timezone.now(),
        )
        transaction.on_commit(lambda: breakers.force(name, open_=open))
    return breaker_row(breakers.state(name))

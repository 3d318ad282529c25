"""Flow control for people: what the limits and breakers are doing, and forcing a breaker.

Limits are set in code (``@task(concurrency=…)``) and settings
(``JOBS["FLOW_QUEUES"]``, ``JOBS["FLOW_BREAKERS"]``); these reads show them with their
usage now, and :func:`force_breaker` is the operator's lever when a bank API goes down
at 3 a.m. (or comes back), written to the :class:`~jobs.models.FlowChange` audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.core.flow_overrides import override_errors
from jobs.core.registry import all_tasks, get_task
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.flow import breakers, reads, scopes, waiting
from jobs.exceptions import Invalid, NotFound
from jobs.models import FlowChange, FlowOverride, Job


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
    concurrency, rate = scopes.task_limits(task)
    return {
        "task": task.name,
        "concurrency": concurrency,
        "concurrency_key": list(task.concurrency_key),
        "rate_limit": str(rate) if rate else None,
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
    limited = [t.name for t in all_tasks() if any(scopes.task_limits(t)) or t.breaker or t.is_unique]
    queues = [usage for name in conf.get().QUEUES if (usage := queue_flow(name))]
    return {
        "tasks": [task_flow(name) for name in limited],
        "queues": queues,
        "breakers": [breaker_row(state) for state in reads.all_breakers()],
    }


def job_wait(job: Job) -> str | None:
    """``"waiting: bank-api breaker open until 10:42:05"`` for a job held by flow control."""
    return job_waits([job]).get(str(job.pk))


def job_waits(jobs: Iterable[Job]) -> dict[str, str]:
    """:func:`job_wait` of many jobs (by id, only those waiting on a limit), one Redis read.

    Only a ``scheduled`` job can be held, so other jobs cost nothing; with Redis away
    nothing is said rather than the page failing (the wait is a hint, the row the truth).
    """
    ids = [str(job.pk) for job in jobs if job.status == JobStatus.SCHEDULED]
    try:
        found = waiting.notes(ids)
    except FlowUnavailable:
        return {}
    return {job_id: f"waiting: {note['reason']}" for job_id, note in found.items()}


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
        _audit(user, via, f"breaker:{name}", "forced open" if open else "forced closed")
        transaction.on_commit(lambda: breakers.force(name, open_=open))
    return breaker_row(breakers.state(name))


def save_override(
    kind: str,
    name: str,
    *,
    concurrency: int | None = None,
    rate_limit: str = "",
    user: Any = None,
    via: str = "code",
) -> FlowOverride:
    """Set a task's or queue's limits instead of those in code or settings; audited.

    Raises:
        Invalid: with every field's problem (unknown task or queue, limits of 0 or below,
            a rate without a duration); nothing is saved.
    """
    row = FlowOverride.objects.filter(kind=kind, name=name).first() or FlowOverride(kind=kind, name=name)
    before = row.describe() if row.pk else "as in code"
    row.concurrency, row.rate_limit = concurrency, rate_limit or ""
    row.updated_at, row.updated_by = timezone.now(), _person(user)
    errors = override_errors(kind, name, concurrency, rate_limit or "")
    if kind not in FlowOverride.Kind.values:
        errors["kind"] = "An override is of a task or a queue."
    if errors:
        raise Invalid("; ".join(f"{field}: {message}" for field, message in errors.items()), fields=errors)
    with transaction.atomic():
        row.save()
        _audit(user, via, f"{kind}:{name}", f"{before} → {row.describe()}")
    scopes.forget_overrides()
    return row


def delete_override(pk: Any, *, user: Any = None, via: str = "code") -> None:
    """Back to the limits in code or settings; audited.

    Raises:
        NotFound: for an unknown override.
    """
    row = FlowOverride.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if row is None:
        raise NotFound(f"No flow control override {pk!r}.")
    with transaction.atomic():
        _audit(user, via, f"{row.kind}:{row.name}", f"{row.describe()} → as in code")
        row.delete()
    scopes.forget_overrides()


def _person(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _audit(user: Any, via: str, target: str, change: str) -> None:
    FlowChange.objects.create(user=_person(user), interface=via, target=target, change=change[:200])

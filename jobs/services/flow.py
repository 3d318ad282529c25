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

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobs import conf
from jobs.core.flow_overrides import override_errors
from jobs.core.registry import all_tasks, get_task
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.flow import breakers, reads, scopes, waiting
from jobs.exceptions import Invalid, NotFound
from jobs.models import FlowChange, FlowOverride, Job
from jobs.models.journal import describe_actor


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
        "concurrency_key": list(scopes.task_key(task)),
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
        by = describe_actor(user, via)
        transaction.on_commit(lambda: breakers.force(name, open_=open, by=by))
    return breaker_row(breakers.state(name))


OVERRIDE_FIELDS = (
    "kind",
    "name",
    "concurrency",
    "rate_limit",
    "concurrency_key",
    "threshold",
    "window",
    "recovery",
)
"""What an operator sets on an override; blank or null means "as in code". A breaker's
override has only the last three; a task's or queue's, none of them."""


def overrides() -> QuerySet[FlowOverride]:
    return FlowOverride.objects.select_related("updated_by").order_by("kind", "name")


def get_override(pk: Any) -> FlowOverride:
    """Raises: NotFound for an unknown override."""
    found = FlowOverride.objects.filter(pk=pk) if str(pk).isdigit() else FlowOverride.objects.none()
    row = found.select_related("updated_by").first()
    if row is None:
        raise NotFound(f"No flow control override {str(pk)[:100]!r}.")
    return row


def save_override(
    kind: str,
    name: str,
    *,
    concurrency: int | None = None,
    rate_limit: str = "",
    concurrency_key: str = "",
    threshold: int | None = None,
    window: float | None = None,
    recovery: float | None = None,
    user: Any = None,
    via: str = "code",
) -> FlowOverride:
    """Set a task's or queue's limits, or a breaker's settings, instead of those in code or
    settings; audited.

    Replaces the override of the same task, queue or breaker if there is one.

    Raises:
        Invalid: with every field's problem (unknown task, queue or breaker, limits,
            thresholds, windows or timeouts of 0 or below, a rate without a duration, a key
            that isn't a parameter, a field of another kind); nothing is saved.
    """
    values = _blanks(
        {
            "kind": kind,
            "name": name,
            "concurrency": concurrency,
            "rate_limit": rate_limit,
            "concurrency_key": concurrency_key,
            "threshold": threshold,
            "window": window,
            "recovery": recovery,
        }
    )
    row = FlowOverride.objects.filter(kind=kind, name=name).first() if not _not_text(values) else None
    return _save(row or FlowOverride(), values, user, via)


def update_override(pk: Any, *, user: Any = None, via: str = "code", **changes: Any) -> FlowOverride:
    """Change some of an override's fields (:data:`OVERRIDE_FIELDS`); audited.

    Raises:
        NotFound: for an unknown override.
        Invalid: as :func:`save_override`, or for another override of the same task or queue.
    """
    row = get_override(pk)
    unknown = sorted(set(changes) - set(OVERRIDE_FIELDS))
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(unknown)}.", fields=dict.fromkeys(unknown, "unknown"))
    values = _blanks({field: getattr(row, field) for field in OVERRIDE_FIELDS} | changes)
    return _save(row, values, user, via)


def _blanks(values: dict[str, Any]) -> dict[str, Any]:
    """No rate or no key is stored as empty text; an interface's null says the same."""
    return {**values, **{field: values.get(field) or "" for field in ("rate_limit", "concurrency_key")}}


TEXTS = ("kind", "name", "rate_limit", "concurrency_key")


def _not_text(values: dict[str, Any]) -> dict[str, str]:
    return {field: "Must be text." for field in TEXTS if not isinstance(values[field], str)}


def _override_errors(row: FlowOverride, values: dict[str, Any]) -> dict[str, str]:
    """The rules of :mod:`jobs.core.flow_overrides`, and one override per task or queue."""
    if errors := _not_text(values):
        return errors
    kind, name = values["kind"], values["name"]
    errors = override_errors(*(values[field] for field in OVERRIDE_FIELDS))
    if kind not in FlowOverride.Kind.values:
        errors["kind"] = "An override is of a task, a queue or a breaker."
    if "name" not in errors and FlowOverride.objects.filter(kind=kind, name=name).exclude(pk=row.pk).exists():
        errors["name"] = _taken(kind, name)
    return errors


def _taken(kind: str, name: str) -> str:
    return f"The {kind} {name} has an override already."


def _save(row: FlowOverride, values: dict[str, Any], user: Any, via: str) -> FlowOverride:
    if errors := _override_errors(row, values):
        raise Invalid("; ".join(f"{field}: {message}" for field, message in errors.items()), fields=errors)
    before = row.describe() if row.pk else "as in code"
    for field in OVERRIDE_FIELDS:
        setattr(row, field, values[field])
    row.updated_at, row.updated_by = timezone.now(), _person(user)
    try:
        with transaction.atomic():
            row.save()
            _audit(user, via, f"{row.kind}:{row.name}", f"{before} → {row.describe()}")
    except IntegrityError as exc:  # a concurrent request made the same task's override
        raise Invalid(_taken(row.kind, row.name), fields={"name": "taken"}) from exc
    scopes.forget_overrides()
    return row


def delete_override(pk: Any, *, user: Any = None, via: str = "code") -> None:
    """Back to the limits in code or settings; audited.

    Raises:
        NotFound: for an unknown override.
    """
    row = get_override(pk)
    with transaction.atomic():
        _audit(user, via, f"{row.kind}:{row.name}", f"{row.describe()} → as in code")
        row.delete()
    scopes.forget_overrides()


def _person(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _audit(user: Any, via: str, target: str, change: str) -> None:
    FlowChange.objects.create(user=_person(user), interface=via, target=target, change=change[:200])

"""The job state machine.

A job is born ``scheduled`` (it has a ``run_at`` in the future), ``deferred`` (it waits
for the jobs it depends on) or ``queued`` (it sits in its RQ queue). A worker moves it
to ``started``; from there it ends ``succeeded`` or ``failed``, or goes back to
``scheduled`` when the attempt failed and the task's back-off allows another one.
rq-scheduler moves a due ``scheduled`` job to ``queued``; the housekeeper moves a
``deferred`` job to ``queued`` once every dependency has succeeded, or to ``failed``
when one of them failed for good. ``cancelled`` can be reached from every non-terminal
state; a person can send a ``failed`` or ``cancelled`` job back to ``queued`` (retry).

``succeeded``, ``failed`` and ``cancelled`` are terminal for the worker: nothing but a
person's retry leaves them. Every transition is a compare-and-set
(``UPDATE … WHERE status IN (sources)``), so two actors can never both win.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    """Waiting for its run-at time (first run or a retry's back-off) in rq-scheduler."""
    DEFERRED = "deferred", _("Deferred")
    """Waiting for the jobs it depends on to succeed."""
    QUEUED = "queued", _("Queued")
    """Waiting in its RQ queue for a worker."""
    STARTED = "started", _("Started")
    """A worker is running it."""
    SUCCEEDED = "succeeded", _("Succeeded")
    """The task returned; its result is stored."""
    FAILED = "failed", _("Failed")
    """The last allowed attempt failed, or a dependency failed: the dead-letter list."""
    CANCELLED = "cancelled", _("Cancelled")
    """Someone cancelled it; a running job was stopped."""


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")
    """Goes to the front of its queue."""


S = JobStatus

TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = {
    S.SCHEDULED: frozenset({S.QUEUED, S.STARTED, S.CANCELLED}),
    S.DEFERRED: frozenset({S.QUEUED, S.STARTED, S.FAILED, S.CANCELLED}),
    S.QUEUED: frozenset({S.STARTED, S.CANCELLED}),
    S.STARTED: frozenset({S.SUCCEEDED, S.FAILED, S.SCHEDULED, S.CANCELLED}),
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset({S.QUEUED, S.DEFERRED}),
    S.CANCELLED: frozenset({S.QUEUED, S.DEFERRED}),
}

TERMINAL: frozenset[JobStatus] = frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED})
WAITING: frozenset[JobStatus] = frozenset({S.SCHEDULED, S.DEFERRED, S.QUEUED})
"""States in which a job is owed a run: what a Redis restore must put back."""


def sources_of(target: JobStatus) -> frozenset[JobStatus]:
    """Every state from which ``target`` may be reached."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


def can_transition(source: JobStatus | str, target: JobStatus | str) -> bool:
    return JobStatus(target) in TRANSITIONS[JobStatus(source)]


STARTABLE = sources_of(S.STARTED)
CANCELLABLE = sources_of(S.CANCELLED)
RETRYABLE = sources_of(S.QUEUED) & TERMINAL


class AlertKind(models.TextChoices):
    """What an alert rule watches; N is its threshold."""

    BACKLOG = "backlog", _("Queue backlog over N jobs")
    OLDEST_WAITING = "oldest_waiting", _("Oldest waiting job older than N seconds")
    FAILURE_RATE = "failure_rate", _("Failure rate over N % in the window")
    STUCK = "stuck", _("Job running longer than N seconds")
    WORKERS = "workers", _("Fewer than N healthy workers")
    RECURRING_MISSED = "recurring_missed", _("Recurring job overdue by N seconds")
    SLA = "sla", _("Job of the task over its SLA of N seconds")
    BREAKER_OPEN = "breaker_open", _("Circuit breaker open for over N seconds")


class MisfirePolicy(models.TextChoices):
    """What a recurring job does about runs it missed (the scheduler was down)."""

    SKIP = "skip", _("Skip missed runs")
    RUN_ONCE = "run_once", _("Run once to catch up")

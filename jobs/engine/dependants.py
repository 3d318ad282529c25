"""Jobs that wait for other jobs.

RQ's ``depends_on`` holds a dependant back in Redis until its dependencies finish. The
database knows the links too (``Job.depends_on``), because RQ never releases a
dependant whose dependency failed for good, and because a Redis restore has to rebuild
the links: here a failed or cancelled dependency fails its dependants with the reason,
and a dependant is only ever told to wait for dependencies that haven't succeeded.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jobs.core.states import WAITING, JobStatus
from jobs.engine import broker
from jobs.exceptions import DependencyFailed
from jobs.models import Job, JobLog
from jobs.models.journal import log_event

S = JobStatus


def pending_dependencies(dependencies: list[Job]) -> list[Job]:
    """The dependencies still to succeed.

    Raises:
        DependencyFailed: when one has failed or was cancelled, so would never release.
    """
    for dependency in dependencies:
        if dependency.status in (S.FAILED, S.CANCELLED):
            raise DependencyFailed(
                f"Dependency {dependency.pk} ({dependency.task}) is {dependency.status}; retry it first.",
                fields={"depends_on": str(dependency.pk)},
            )
    return [dependency for dependency in dependencies if dependency.status != S.SUCCEEDED]


def fail_dependants(job: Job, reason: str, *, now: datetime | None = None) -> list[Job]:
    """Fail every job waiting (directly or through others) on ``job``, saying why.

    Runs inside the caller's transaction; the RQ copies are removed after commit.
    """
    now = now or timezone.now()
    failed: list[Job] = []
    frontier = [(job, reason)]
    while frontier:
        dependency, why = frontier.pop()
        waiting = Job.objects.filter(depends_on=dependency, status__in=WAITING)
        for dependant in waiting:
            message = f"Dependency {dependency.pk} ({dependency.task}) {why}."
            changed = Job.objects.filter(pk=dependant.pk, status=dependant.status).update(
                status=S.FAILED, finished_at=now, error=message
            )
            if not changed:
                continue
            log_event(dependant, JobLog.Event.FAILED, message, level=logging.ERROR)
            failed.append(dependant)
            frontier.append((dependant, "failed because one of its dependencies did"))
    ids = [str(dependant.pk) for dependant in failed]
    if ids:
        transaction.on_commit(lambda: [broker.remove(job_id) for job_id in ids], robust=True)
    return failed


def release_ready_dependants(now: datetime | None = None) -> int:
    """Mark deferred jobs whose dependencies all succeeded as queued.

    RQ itself already put them in their queue; this keeps the row's status honest for
    people looking at it. Returns how many rows changed.
    """
    now = now or timezone.now()
    ready = [
        job.pk
        for job in Job.objects.deferred().prefetch_related("depends_on")[:1000]
        if all(dep.status == S.SUCCEEDED for dep in job.depends_on.all())
    ]
    if not ready:
        return 0
    return Job.objects.filter(pk__in=ready, status=S.DEFERRED).update(status=S.QUEUED, enqueued_at=now)

"""Unique jobs and idempotent requests, decided by a unique index, not a look-before-insert.

A request carries keys (:func:`keys_for`): its task's uniqueness key if the task is
unique, and an idempotency key if the caller sent one. :func:`create_once` inserts the
job and its keys in one transaction; if another request holds a key, the insert fails
on the index and that request's job is the answer. A uniqueness key stops counting once
its job has ended or its window passed; an idempotency key answers for
``IDEMPOTENCY_TTL`` whatever became of its job, and only for the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from jobs.core import flow
from jobs.core.registry import get_task
from jobs.core.states import TERMINAL
from jobs.exceptions import Conflict
from jobs.models import Job, JobKey

ATTEMPTS = 5
"""Inserts tried while the keys' holders keep ending between our insert and our read."""


@dataclass(frozen=True)
class Key:
    key: str
    expires_at: datetime | None
    fingerprint: str = ""

    @property
    def idempotent(self) -> bool:
        return self.key.startswith("idem:")


def keys_for(job: Job, idempotency_key: str | None, user: Any) -> list[Key]:
    """The keys an unsaved job would hold."""
    keys = []
    task = get_task(job.task)
    if task.is_unique:
        arguments = flow.bound_arguments(task.signature, job.args, job.kwargs)
        expires = job.created_at + timedelta(seconds=task.unique_for) if task.unique_for else None
        keys.append(Key(flow.unique_key(task.name, task.unique_key, arguments), expires))
    if idempotency_key is not None:
        owner = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
        keys.append(
            Key(
                flow.idempotency_key(idempotency_key, owner),
                job.created_at + timedelta(seconds=flow.IDEMPOTENCY_TTL),
                flow.fingerprint(job.task, job.args, job.kwargs),
            )
        )
    return keys


def create_once(job: Job, keys: list[Key], save: Callable[[], None]) -> Job:
    """Save ``job`` with ``save`` (inside our transaction) unless a key's holder answers.

    Raises:
        Conflict: an idempotency key reused for a different request.
    """
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                save()
                JobKey.objects.bulk_create(
                    JobKey(key=k.key, job=job, fingerprint=k.fingerprint, expires_at=k.expires_at)
                    for k in keys
                )
            return job
        except IntegrityError:
            holder = _holder(keys, job.created_at)
            if holder is not None:
                return holder
    raise Conflict("The job's uniqueness keys kept changing hands; try again.")


def _holder(keys: list[Key], now: datetime) -> Job | None:
    """The job a live key stands for; keys that no longer count are deleted."""
    for key in keys:
        row = JobKey.objects.filter(key=key.key).select_related("job").first()
        if row is None:
            continue
        if key.idempotent and row.fingerprint != key.fingerprint:
            raise Conflict(
                "This idempotency key was used for a different request.", fields={"idempotency_key": "reused"}
            )
        expired = row.expires_at is not None and row.expires_at <= now
        if expired or (not key.idempotent and row.job.status in TERMINAL):
            JobKey.objects.filter(pk=row.pk, job_id=row.job_id).delete()
            continue
        return row.job
    return None

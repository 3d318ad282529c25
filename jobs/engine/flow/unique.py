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
        if row is not None and _live(row, key, now):
            return row.job
    return None


def _live(row: JobKey, key: Key, now: datetime) -> bool:
    """Whether a stored key still answers for ``key``; one that no longer counts is deleted.

    Raises:
        Conflict: an idempotency key reused for a different request.
    """
    if key.idempotent and row.fingerprint != key.fingerprint:
        raise _reused()
    expired = row.expires_at is not None and row.expires_at <= now
    if expired or (not key.idempotent and row.job.status in TERMINAL):
        JobKey.objects.filter(pk=row.pk, job_id=row.job_id).delete()
        return False
    return True


READ_CHUNK = 500
"""Keys looked up per query in a bulk call (SQLite bounds a query's parameters)."""


def create_many_once(
    jobs: list[Job], keys: list[list[Key]], insert: Callable[[list[Job]], None]
) -> list[Job]:
    """Insert ``jobs`` (not empty, each with its ``keys``) with ``insert``; a duplicate is answered by its
    holder instead: a live job of the database, or an earlier job of this very call.

    Returns the answer at each position (the job itself when it was inserted). One read
    of the keys per 500 and one insert of the new jobs and their keys, retried when a
    concurrent request took a key between the two (the unique index decides).

    Raises:
        Conflict: an idempotency key reused for a different request.
    """
    for _ in range(ATTEMPTS):
        answers = _answers(jobs, keys, _live_rows(keys, jobs[0].created_at))
        new = [job for job, answer in zip(jobs, answers, strict=True) if answer is job]
        try:
            with transaction.atomic():
                insert(new)
                JobKey.objects.bulk_create(
                    JobKey(key=k.key, job=job, fingerprint=k.fingerprint, expires_at=k.expires_at)
                    for job, job_keys, answer in zip(jobs, keys, answers, strict=True)
                    if answer is job
                    for k in job_keys
                )
            return answers
        except IntegrityError:
            continue
    raise Conflict("The jobs' uniqueness keys kept changing hands; try again.")


def _live_rows(keys: list[list[Key]], now: datetime) -> dict[str, Job]:
    """Every stored key of ``keys`` that still answers, with its job."""
    wanted = {k.key: k for job_keys in keys for k in job_keys}
    names = list(wanted)
    live: dict[str, Job] = {}
    for start in range(0, len(names), READ_CHUNK):
        rows = JobKey.objects.filter(key__in=names[start : start + READ_CHUNK]).select_related("job")
        live.update((row.key, row.job) for row in rows if _live(row, wanted[row.key], now))
    return live


def _answers(jobs: list[Job], keys: list[list[Key]], live: dict[str, Job]) -> list[Job]:
    """Each job's answer: the holder of one of its keys, else the job itself (which then
    holds its keys for the jobs after it in the call)."""
    taken: dict[str, tuple[Job, str]] = {}
    answers = []
    for job, job_keys in zip(jobs, keys, strict=True):
        holder = None
        for k in job_keys:
            if k.key in live:
                holder = holder or live[k.key]
            elif k.key in taken:
                earlier, fingerprint = taken[k.key]
                if k.idempotent and fingerprint != k.fingerprint:
                    raise _reused()
                holder = holder or earlier
        if holder is None:
            taken.update((k.key, (job, k.fingerprint)) for k in job_keys)
        answers.append(holder or job)
    return answers


def _reused() -> Conflict:
    return Conflict(
        "This idempotency key was used for a different request.", fields={"idempotency_key": "reused"}
    )

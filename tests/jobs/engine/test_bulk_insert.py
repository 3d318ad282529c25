"""Rows written by ``insert_new`` read back exactly as ``bulk_create`` stores them."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.engine.bulk_insert import insert_new
from jobs.engine.creation import build_job
from jobs.models import Job, RecurringJob
from tests.factories import user_with

AWKWARD = [
    "quote \" and ' and back\\slash",
    "tab\tnewline\nreturn\r",
    "\\N looks like COPY's NULL",
    "unicode: Grüße, 日本, 🙂",
    "",
]


def _jobs(user, parent) -> list[Job]:
    now = timezone.now()
    jobs = []
    for index, text in enumerate(AWKWARD):
        job, _ = build_job(
            "tests.add",
            args=[index, 1],
            tags=[text or "empty", "x"],
            correlation_id=text,
            user=user,
            parent=parent,
            delay=60 if index % 2 else None,
            now=now,
        )
        jobs.append(job)
    payload, _ = build_job("tests.echo", kwargs={"payload": {"nested": AWKWARD, "none": None}}, now=now)
    jobs.append(payload)
    # Equal in Python, different in JSON: each must keep its own form.
    for value in (1, True, 1.0):
        alike, _ = build_job("tests.echo", kwargs={"v": value}, correlation_id=f"alike-{value!r}", now=now)
        jobs.append(alike)
    return jobs


def _stored(pks) -> list[dict]:
    rows = Job.objects.filter(pk__in=pks).order_by("correlation_id", "kwargs").values()
    return [{key: value for key, value in row.items() if key != "id"} for row in rows]


def test_rows_read_back_as_bulk_create_would_store_them(transactional_db):
    user = user_with(username="ops")
    parent, _ = build_job("tests.noop")
    parent.save()
    fast = _jobs(user, parent)
    slow = _jobs(user, parent)
    for twin, original in zip(slow, fast, strict=True):
        twin.created_at, twin.enqueued_at, twin.run_at = (
            original.created_at,
            original.enqueued_at,
            original.run_at,
        )

    with transaction.atomic():
        insert_new(fast)
    Job.objects.bulk_create(slow)

    assert _stored([job.pk for job in fast]) == _stored([job.pk for job in slow])
    assert all(not job._state.adding for job in fast)


def test_a_conflicting_row_writes_none_of_the_batch(transactional_db):
    existing, _ = build_job("tests.noop")
    existing.save()
    batch = [build_job("tests.noop")[0] for _ in range(3)]
    batch[1].pk = existing.pk

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(batch)

    assert not Job.objects.filter(pk__in=[batch[0].pk, batch[2].pk]).exists()


def test_models_it_cannot_copy_go_through_bulk_create(transactional_db):
    insert_new([RecurringJob(name="nightly", task="tests.noop", description="auto_now and an auto id")])
    stored = RecurringJob.objects.get(name="nightly")
    assert stored.updated_at is not None


def test_job_new_fills_fresh_defaults_and_refuses_unknown_names():
    one, two = Job.new(task="tests.noop"), Job.new(task="tests.noop")
    assert isinstance(one.pk, uuid.UUID) and one.pk != two.pk
    assert one.tags == [] and one.tags is not two.tags
    assert one.status == "queued" and one.attempts == 0
    assert (one.error, one.progress_message, one.run_at) == ("", "", None)
    assert timezone.now() - one.created_at < timedelta(seconds=5)
    with pytest.raises(TypeError, match="no fields parent"):
        Job.new(task="tests.noop", parent=None)

"""Unique jobs and idempotency keys: one job per key, even from concurrent requests."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from jobs.exceptions import Conflict, InvalidArguments
from jobs.models import Batch, Job, JobKey
from jobs.services import cancel_job, schedule_job, schedule_jobs
from jobs.services.batches import schedule_batch
from tests.factories import superuser, user_with

pytestmark = pytest.mark.django_db(transaction=True)


def concurrently(count: int, call) -> list:
    def one(_):
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_fifty_concurrent_duplicates_of_a_unique_task_make_one_job():
    jobs = concurrently(50, lambda: schedule_job("tests.flow.unique", args=[7]))
    assert len({job.pk for job in jobs}) == 1
    assert Job.objects.filter(task="tests.flow.unique").count() == 1


def test_fifty_concurrent_requests_with_one_idempotency_key_make_one_job():
    user = superuser()
    jobs = concurrently(50, lambda: schedule_job("tests.add", args=[1, 2], user=user, idempotency_key="k-1"))
    assert len({job.pk for job in jobs}) == 1
    assert Job.objects.filter(task="tests.add").count() == 1


def test_other_arguments_make_another_job_and_an_ended_one_frees_its_key():
    first = schedule_job("tests.flow.unique", args=[1])
    assert schedule_job("tests.flow.unique", args=[2]).pk != first.pk
    assert schedule_job("tests.flow.unique", args=[1]).pk == first.pk
    cancel_job(first.pk)
    assert schedule_job("tests.flow.unique", args=[1]).pk != first.pk


def test_a_unique_key_names_the_arguments_that_count():
    first = schedule_job("tests.flow.unique_by_account", args=["acme", "one"])
    assert schedule_job("tests.flow.unique_by_account", args=["acme", "two"]).pk == first.pk
    assert schedule_job("tests.flow.unique_by_account", args=["other"]).pk != first.pk


def test_an_idempotency_key_answers_even_after_its_job_ended_and_is_per_user():
    alice = user_with("schedule_job", username="alice")
    bob = user_with("schedule_job", username="bob")
    first = schedule_job("tests.add", args=[1, 2], user=alice, idempotency_key="same")
    cancel_job(first.pk)
    assert schedule_job("tests.add", args=[1, 2], user=alice, idempotency_key="same").pk == first.pk
    assert schedule_job("tests.add", args=[1, 2], user=bob, idempotency_key="same").pk != first.pk


def test_an_idempotency_key_reused_for_another_request_is_refused():
    schedule_job("tests.add", args=[1, 2], idempotency_key="once")
    with pytest.raises(Conflict, match="different request"):
        schedule_job("tests.add", args=[9, 9], idempotency_key="once")
    assert Job.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey", 12])
def test_bad_idempotency_keys_are_refused_and_change_nothing(key):
    with pytest.raises(InvalidArguments, match="idempotency key"):
        schedule_job("tests.add", args=[1, 2], idempotency_key=key)
    assert not Job.objects.exists() and not JobKey.objects.exists()


def test_bulk_duplicates_inside_the_call_and_of_an_existing_job_are_answered_by_that_job():
    existing = schedule_job("tests.flow.unique", args=[1])
    answers = schedule_jobs(
        [
            {"task": "tests.flow.unique", "args": [1]},
            {"task": "tests.flow.unique", "args": [2]},
            {"task": "tests.add", "args": [1, 2]},
            {"task": "tests.flow.unique", "args": [2]},
            {"task": "tests.add", "args": [1, 2]},
        ]
    )
    assert answers[0].pk == existing.pk
    assert answers[3].pk == answers[1].pk != existing.pk
    assert answers[2].pk != answers[4].pk, "a task that isn't unique makes a job per request"
    assert Job.objects.filter(task="tests.flow.unique").count() == 2
    assert Job.objects.filter(task="tests.add").count() == 2


def test_bulk_honours_idempotency_keys_and_refuses_a_reused_one_changing_nothing():
    user = superuser()
    first = schedule_job("tests.add", args=[1, 2], user=user, idempotency_key="k")
    again = schedule_jobs([{"task": "tests.add", "args": [1, 2], "idempotency_key": "k"}], user=user)
    assert [job.pk for job in again] == [first.pk]
    with pytest.raises(Conflict, match="different request"):
        reused = {"task": "tests.add", "args": [9, 9], "idempotency_key": "k"}
        schedule_jobs([{"task": "tests.add", "args": [5, 5]}, reused], user=user)
    assert Job.objects.count() == 1


def test_concurrent_bulk_calls_with_the_same_unique_jobs_make_each_job_once():
    def bulk():
        requests = ({"task": "tests.flow.unique", "args": [n]} for n in range(10))
        return [job.pk for job in schedule_jobs(requests)]

    answers = concurrently(8, bulk)
    assert all(ids == answers[0] for ids in answers), "every call is answered with the same ten jobs"
    assert Job.objects.filter(task="tests.flow.unique").count() == 10
    assert JobKey.objects.count() == 10


def test_a_batch_holds_the_jobs_it_made_and_a_duplicate_is_answered_outside_it():
    existing = schedule_job("tests.flow.unique", args=[1])
    batch = schedule_batch([{"task": "tests.flow.unique", "args": [n]} for n in (1, 2, 2, 3)])
    members = Job.objects.filter(batch_id=batch.pk)
    assert sorted(job.args[0] for job in members) == [2, 3]
    assert Batch.objects.get(pk=batch.pk).total == 2
    assert Job.objects.get(pk=existing.pk).batch_id is None

"""Unique jobs and idempotency keys: one job per key, even from concurrent requests."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from jobs.exceptions import Conflict, InvalidArguments
from jobs.models import Job, JobKey
from jobs.services import cancel_job, schedule_job
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

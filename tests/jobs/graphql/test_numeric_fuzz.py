"""GraphQL: numeric and date arguments of every mutation, fuzzed; an error with a message, never a 500.

Values come from hypothesis (derandomized, bounded): huge and negative numbers, NaN and
infinities spelt as strings, numbers past 32 bits, bools, lists, objects, garbage dates.
Each answer is either data with the mutation's own coded ``errors`` (a service
refusal) or GraphQL's top-level ``errors`` (a value GraphQL can't coerce) — each with a
message — or a success whose row reads back.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs import services
from jobs.core import rules
from jobs.models import Job, RecurringJob
from tests.jobs.graphql.client import gql

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)

SCHEDULE = """mutation($input: ScheduleJobInput!) {
  scheduleJob(input: $input) { job { id runAt } errors { code message field } }
}"""
CREATE = """mutation($input: CreateRecurringJobInput!) {
  createRecurringJob(input: $input) { recurringJob { id } errors { code message field } }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateRecurringJobInput!) {
  updateRecurringJob(id: $id, input: $input) { recurringJob { id } errors { code message field } }
}"""
TRIGGER = "mutation($id: ID!) { triggerRecurringJob(id: $id) { job { id } errors { code message } } }"
JOBS = "query($first: Int, $after: String) { jobs(first: $first, after: $after) { edges { node { id } } } }"

odd_numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e20, 1e12, -1, 0, 2**31, 2**53, 10**30, -(10**30), rules.MAX_DELAY_SECONDS + 1]),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "inf", "1e400", "1e20", "", "ten"]),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.just({"value": 1}),
)
odd_dates = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda at: at.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2026-13-01T00:00:00", "now"]),
    odd_numbers,
)


def assert_deliberate(status: int, errors: list[dict]) -> None:
    """Top-level errors are GraphQL refusing a value (400) or a resolver's coded refusal.

    A Python exception escaping a resolver also comes back as a top-level error, at 200
    and without a code ("Python int too large to convert to C int"): that fails here.
    """
    assert all(error.get("message") for error in errors), errors
    assert status == 400 or all(error.get("extensions", {}).get("code") for error in errors), errors


def assert_an_error_or_a_success(response, mutation: str) -> dict | None:
    """The answer's mutation payload, after checking every error carries a message."""
    assert response.status_code in (200, 400), response.content
    body = response.json()
    if body.get("errors"):
        assert_deliberate(response.status_code, body["errors"])
        return None
    payload = body["data"][mutation]
    assert all(error["message"] and error["code"] for error in payload["errors"]), payload
    return payload


@FUZZ
@given(
    field=st.sampled_from(["delaySeconds", "maxAttempts", "runAt"]), value=st.one_of(odd_numbers, odd_dates)
)
def test_schedule_job_numeric_arguments(api, field, value):
    before = Job.objects.count()
    payload = assert_an_error_or_a_success(
        gql(api, SCHEDULE, {"input": {"task": "tests.noop", field: value}}), "scheduleJob"
    )
    if payload is None or payload["errors"]:
        assert Job.objects.count() == before
    else:
        assert Job.objects.filter(pk=payload["job"]["id"]).exists()


def schedules() -> st.SearchStrategy:
    intervals = st.builds(lambda every: {"interval": {"every": every, "period": "days"}}, odd_numbers)
    clocked = st.builds(lambda at: {"clocked": {"clocked_time": at}}, odd_dates)
    return st.one_of(intervals, clocked)


@FUZZ
@given(
    changes=st.one_of(
        st.builds(lambda value: {"maxConcurrentRuns": value}, odd_numbers),
        st.builds(lambda value: {"startAt": value}, odd_dates),
        st.builds(lambda value: {"endAt": value}, odd_dates),
        st.builds(lambda value: {"schedule": value}, schedules()),
    )
)
def test_recurring_job_numeric_arguments(api, changes):
    before = RecurringJob.objects.count()
    body = {
        "name": "fuzz",
        "task": "tests.noop",
        "schedule": {"interval": {"every": 1, "period": "hours"}},
    }
    payload = assert_an_error_or_a_success(
        gql(api, CREATE, {"input": {**body, **changes}}), "createRecurringJob"
    )
    if payload is None or payload["errors"]:
        assert RecurringJob.objects.count() == before
    else:
        RecurringJob.objects.filter(pk=payload["recurringJob"]["id"]).delete()


@FUZZ
@given(
    rid=st.one_of(odd_numbers.map(str), st.integers().map(str)),
    changes=st.builds(lambda v: {"maxConcurrentRuns": v}, odd_numbers),
)
def test_ids_and_updates_of_any_size(api, rid, changes):
    assert_an_error_or_a_success(gql(api, TRIGGER, {"id": rid}), "triggerRecurringJob")
    assert_an_error_or_a_success(gql(api, UPDATE, {"id": rid, "input": changes}), "updateRecurringJob")


@FUZZ
@given(
    first=odd_numbers,
    after=st.one_of(
        st.none(),
        st.text(max_size=20),
        st.sampled_from(
            [
                "MjAyNi0wMS0wMXx4",
                "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=",
            ]
        ),
    ),
)
def test_jobs_first_and_after_of_any_value(api, first, after):
    response = gql(api, JOBS, {"first": first, "after": after})
    assert response.status_code in (200, 400), response.content
    body = response.json()
    assert body.get("data") or body.get("errors")
    assert_deliberate(response.status_code, body.get("errors", []))


def test_the_bug_the_fuzz_is_for_a_huge_delay_is_a_coded_error(api):
    """``delaySeconds: 1e20`` used to come back as "Python int too large to convert to C int"."""
    result = gql(api, SCHEDULE, {"input": {"task": "tests.noop", "delaySeconds": 1e20}}).json()
    errors = result["data"]["scheduleJob"]["errors"]
    assert errors == [{"code": "invalid_schedule", "message": errors[0]["message"], "field": "delay"}]
    assert "at most" in errors[0]["message"] and not Job.objects.exists()


def test_a_far_off_cursor_is_an_invalid_cursor_error(api):
    services.schedule_job("tests.noop")
    far = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|00000000-0000-0000-0000-000000000000").decode()
    body = gql(api, JOBS, {"first": 5, "after": far}).json()
    assert body["errors"][0]["extensions"]["code"] == "invalid_cursor"

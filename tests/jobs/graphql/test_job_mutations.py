"""GraphQL job mutations beyond schedule/retry/cancel: re-run, delete, and the bulk forms."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from django.core.cache import cache

from jobs import services
from jobs.core.states import JobStatus
from jobs.models import Job, JobLog
from jobs.services import actions
from tests.jobs.graphql.client import data
from tests.jobs.graphql.conftest import codes

pytestmark = pytest.mark.django_db(transaction=True)

RERUN = "mutation($id: ID!) { rerunJob(id: $id) { job { id args parent status } errors { code message } } }"
DELETE = "mutation($id: ID!) { deleteJob(id: $id) { deletedId errors { code message } } }"
SCHEDULE_MANY = """mutation($jobs: [ScheduleJobInput!]!) {
  scheduleJobs(jobs: $jobs) { jobs { id task args } errors { code message field } }
}"""
BULK = """mutation($ids: [ID!]!) {
  %s(ids: $ids) { jobs { id status } refused { id message } errors { code message field } }
}"""
DELETE_MANY = """mutation($ids: [ID!]!) {
  deleteJobs(ids: $ids) { deletedIds refused { id message } errors { code message } }
}"""


def waiting(count: int = 1) -> list[Job]:
    return [services.schedule_job("tests.add", args=[i, 1], delay=600) for i in range(count)]


def limit(monkeypatch, name: str, value: int) -> None:
    """Lower one action's bulk limit in the table every interface reads."""
    monkeypatch.setitem(actions.ACTIONS, name, dataclasses.replace(actions.ACTIONS[name], bulk_limit=value))


def test_rerun_schedules_a_fresh_copy_and_leaves_the_original(admin):
    original = waiting()[0]
    services.cancel_job(original.pk)
    copy = data(admin, RERUN, {"id": str(original.pk)})["rerunJob"]
    assert copy["errors"] == [] and copy["job"]["id"] != str(original.pk)
    assert copy["job"]["parent"] == str(original.pk) and copy["job"]["args"] == [0, 1]
    assert copy["job"]["status"] == "queued" and Job.objects.get(pk=original.pk).status == JobStatus.CANCELLED
    assert JobLog.objects.get(job_id=copy["job"]["id"], event=JobLog.Event.CREATED).interface == "graphql"


def test_rerun_of_an_unknown_job_is_not_found(admin):
    assert codes(data(admin, RERUN, {"id": str(uuid.uuid4())})["rerunJob"]) == ["not_found"]
    assert not Job.objects.exists()


def test_delete_job_then_again_is_not_found(admin):
    job = waiting()[0]
    assert data(admin, DELETE, {"id": str(job.pk)})["deleteJob"] == {"deletedId": str(job.pk), "errors": []}
    assert not Job.objects.exists()
    assert codes(data(admin, DELETE, {"id": str(job.pk)})["deleteJob"]) == ["not_found"]


def test_a_running_job_is_not_deleted(admin):
    job = waiting()[0]
    Job.objects.filter(pk=job.pk).update(status=JobStatus.STARTED)
    result = data(admin, DELETE, {"id": str(job.pk)})["deleteJob"]
    assert result["deletedId"] is None and codes(result) == ["invalid_transition"]
    assert Job.objects.filter(pk=job.pk).exists()


def test_schedule_jobs_creates_them_all(admin, redis):
    requests = [{"task": "tests.add", "args": [i, 0.5], "queue": "low"} for i in range(3)]
    result = data(admin, SCHEDULE_MANY, {"jobs": requests})["scheduleJobs"]
    assert result["errors"] == [] and [job["args"] for job in result["jobs"]] == [[i, 0.5] for i in range(3)]
    assert Job.objects.filter(source="graphql").count() == 3 and redis.llen("rq:queue:low") == 3


def test_schedule_jobs_is_all_or_nothing(admin):
    requests = [{"task": "tests.add", "args": [1, 2]}, {"task": "no.such"}, {"task": "tests.noop"}]
    result = data(admin, SCHEDULE_MANY, {"jobs": requests})["scheduleJobs"]
    assert result["jobs"] is None and codes(result) == ["unknown_task"]
    assert result["errors"][0]["message"].startswith("Job 1:") and not Job.objects.exists()


def test_schedule_jobs_over_the_tables_limit_or_empty_is_refused(admin, monkeypatch):
    limit(monkeypatch, "schedule_job", 2)
    over = data(admin, SCHEDULE_MANY, {"jobs": [{"task": "tests.noop"}] * 3})["scheduleJobs"]
    assert codes(over) == ["limit_exceeded"] and over["errors"][0]["field"] == "jobs"
    assert "At most 2" in over["errors"][0]["message"]
    assert codes(data(admin, SCHEDULE_MANY, {"jobs": []})["scheduleJobs"]) == ["invalid"]
    assert not Job.objects.exists()


def test_retry_jobs_says_what_it_did_and_why_it_refused_the_rest(admin):
    cancelled = waiting(2)
    for job in cancelled:
        services.cancel_job(job.pk)
    queued = services.schedule_job("tests.noop")
    unknown = str(uuid.uuid4())
    ids = [str(job.pk) for job in cancelled] + [str(queued.pk), unknown]
    result = data(admin, BULK % "retryJobs", {"ids": ids})["retryJobs"]
    assert result["errors"] == [] and {job["id"] for job in result["jobs"]} == set(ids[:2])
    assert {job["status"] for job in result["jobs"]} == {"queued"}
    refused = {entry["id"]: entry["message"] for entry in result["refused"]}
    assert set(refused) == {str(queued.pk), unknown} and "can't be retried" in refused[str(queued.pk)]
    assert Job.objects.get(pk=queued.pk).status == JobStatus.QUEUED


def test_cancel_jobs_cancels_the_waiting_and_refuses_the_finished(admin):
    jobs = waiting(2)
    services.cancel_job(jobs[1].pk)
    result = data(admin, BULK % "cancelJobs", {"ids": [str(job.pk) for job in jobs]})["cancelJobs"]
    assert result["jobs"] == [{"id": str(jobs[0].pk), "status": "cancelled"}]
    assert [entry["id"] for entry in result["refused"]] == [str(jobs[1].pk)]
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.CANCELLED}


def test_delete_jobs_deletes_and_reports_the_unknown(admin):
    jobs = waiting(2)
    unknown = str(uuid.uuid4())
    result = data(admin, DELETE_MANY, {"ids": [str(jobs[0].pk), unknown]})["deleteJobs"]
    assert result["deletedIds"] == [str(jobs[0].pk)] and result["refused"][0]["id"] == unknown
    assert list(Job.objects.values_list("pk", flat=True)) == [jobs[1].pk]


@pytest.mark.parametrize("mutation", ["retryJobs", "cancelJobs"])
def test_bulk_actions_over_the_tables_limit_change_nothing(admin, monkeypatch, mutation):
    limit(monkeypatch, "retry_job" if mutation == "retryJobs" else "cancel_job", 2)
    jobs = waiting(3)
    if mutation == "retryJobs":
        for job in jobs:
            services.cancel_job(job.pk)
    before = sorted(Job.objects.values_list("status", flat=True))
    result = data(admin, BULK % mutation, {"ids": [str(job.pk) for job in jobs]})[mutation]
    assert codes(result) == ["limit_exceeded"] and result["errors"][0]["field"] == "ids"
    assert sorted(Job.objects.values_list("status", flat=True)) == before


def test_the_default_bulk_limit_is_the_tables(admin):
    over = [str(uuid.uuid4()) for _ in range(actions.bulk_limit("delete_job") + 1)]
    result = data(admin, DELETE_MANY, {"ids": over})["deleteJobs"]
    assert codes(result) == ["limit_exceeded"] and result["deletedIds"] is None
    assert codes(data(admin, DELETE_MANY, {"ids": []})["deleteJobs"]) == ["invalid"]


@pytest.mark.parametrize(
    ("action", "query", "variables"),
    [
        ("rerun_job", RERUN, lambda job: {"id": str(job.pk)}),
        ("delete_job", DELETE, lambda job: {"id": str(job.pk)}),
        ("schedule_job", SCHEDULE_MANY, lambda job: {"jobs": [{"task": "tests.noop"}]}),
        ("cancel_job", BULK % "cancelJobs", lambda job: {"ids": [str(job.pk)]}),
        ("delete_job", DELETE_MANY, lambda job: {"ids": [str(job.pk)]}),
    ],
)
def test_each_new_job_mutation_needs_its_action(client_for, viewer, action, query, variables):
    job = waiting()[0]
    refused = next(iter(data(viewer, query, variables(job)).values()))
    assert (
        codes(refused) == ["permission_denied"]
        and actions.permission(action) in refused["errors"][0]["message"]
    )
    assert list(Job.objects.values_list("pk", "status")) == [(job.pk, JobStatus.SCHEDULED)]
    allowed = client_for(action, username="allowed")
    assert next(iter(data(allowed, query, variables(job)).values()))["errors"] == []


def test_retry_jobs_needs_the_retry_action(client_for, viewer):
    job = waiting()[0]
    services.cancel_job(job.pk)
    refused = data(viewer, BULK % "retryJobs", {"ids": [str(job.pk)]})["retryJobs"]
    assert codes(refused) == ["permission_denied"] and Job.objects.get().status == JobStatus.CANCELLED
    allowed = data(client_for("retry_job", username="retrier"), BULK % "retryJobs", {"ids": [str(job.pk)]})
    assert allowed["retryJobs"]["jobs"] == [{"id": str(job.pk), "status": "queued"}]


def test_bulk_mutations_share_the_action_throttle(admin, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"jobs_actions": "1/min"}}
    cache.clear()
    try:
        jobs = waiting(2)
        first = data(admin, BULK % "cancelJobs", {"ids": [str(jobs[0].pk)]})["cancelJobs"]
        second = data(admin, BULK % "cancelJobs", {"ids": [str(jobs[1].pk)]})["cancelJobs"]
        assert first["errors"] == [] and codes(second) == ["throttled"]
        assert Job.objects.get(pk=jobs[1].pk).status == JobStatus.SCHEDULED
    finally:
        cache.clear()

"""GraphQL mutations: each returns the changed object plus coded errors; nothing written on refusal."""

from __future__ import annotations

import pytest

from jobs import services
from jobs.models import Job, JobLog, QueueStats, RecurringJob
from tests.factories import token_client
from tests.jobs.graphql.client import data

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULE = """mutation($input: ScheduleJobInput!) {
  scheduleJob(input: $input) { job { id status queue task } errors { code message field } }
}"""
JOB_ACTION = "mutation($id: ID!) { %s(id: $id) { job { id status attempts } errors { code message } } }"
QUEUE_ACTION = "mutation($name: String!) { %s(name: $name) { queue { name paused } errors { code } } }"
RJ_FIELDS = "recurringJob { id name enabled schedule } errors { code message field }"
EVERY_5_MIN = {"interval": {"every": 5, "period": "minutes"}}


def codes(result: dict) -> list[str]:
    return [error["code"] for error in result["errors"]]


def test_schedule_job_returns_the_job_and_logs_graphql(api, redis):
    result = data(api, SCHEDULE, {"input": {"task": "tests.add", "args": [1, 2], "queue": "high"}})
    job = Job.objects.get(pk=result["scheduleJob"]["job"]["id"])
    assert result["scheduleJob"]["errors"] == [] and job.queue == "high" and job.args == [1, 2]
    log = JobLog.objects.get(job=job, event=JobLog.Event.CREATED)
    assert log.interface == "graphql" and log.user.username == "admin-api"
    assert redis.llen("rq:queue:high") == 1
    delayed = data(api, SCHEDULE, {"input": {"task": "tests.noop", "delaySeconds": 60}})["scheduleJob"]
    assert delayed["job"]["status"] == "scheduled"


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"task": "no.such"}, "unknown_task"),
        ({"task": "tests.add", "args": [1]}, "invalid_arguments"),
        ({"task": "tests.add", "args": "[1, 2]"}, "invalid_arguments"),
        ({"task": "tests.add", "args": [1, 2], "kwargs": [3]}, "invalid_arguments"),
        ({"task": "tests.add", "args": [1, 2], "queue": "nope"}, "unknown_queue"),
        ({"task": "tests.fail", "args": ["x" * 70_000]}, "payload_too_large"),
        ({"task": "tests.add", "args": [1, 2], "priority": "bogus"}, "invalid_arguments"),
        ({"task": "tests.add", "args": [1, 2], "runAt": "2000-01-01T00:00:00+00:00"}, "invalid_schedule"),
    ],
)
def test_bad_schedule_input_is_a_coded_error_and_writes_nothing(api, given, code):
    result = data(api, SCHEDULE, {"input": given})["scheduleJob"]
    assert result["job"] is None and code in codes(result), result
    assert not Job.objects.exists()


def test_wrong_types_and_unknown_input_fields_are_graphql_errors(api):
    from tests.jobs.graphql.client import gql

    for given in ({"task": 5, "maxAttempts": "many"}, {"task": "tests.noop", "bogus": 1}):
        response = gql(api, SCHEDULE, {"input": given})
        assert response.status_code == 400 and response.json()["errors"]
    assert not Job.objects.exists()


def test_cancel_then_retry_and_illegal_transitions(api):
    job = services.schedule_job("tests.noop", delay=600)
    cancelled = data(api, JOB_ACTION % "cancelJob", {"id": str(job.pk)})["cancelJob"]
    assert cancelled["job"]["status"] == "cancelled" and cancelled["errors"] == []
    assert JobLog.objects.filter(job=job, interface="graphql", event=JobLog.Event.CANCELLED).exists()
    again = data(api, JOB_ACTION % "cancelJob", {"id": str(job.pk)})["cancelJob"]
    assert again["job"] is None and codes(again) == ["invalid_transition"]
    retried = data(api, JOB_ACTION % "retryJob", {"id": str(job.pk)})["retryJob"]
    assert retried["job"]["status"] == "queued"
    assert codes(data(api, JOB_ACTION % "retryJob", {"id": "nope"})["retryJob"]) == ["not_found"]


def test_pause_and_resume_queue(api):
    paused = data(api, QUEUE_ACTION % "pauseQueue", {"name": "low"})["pauseQueue"]
    assert paused["queue"] == {"name": "low", "paused": True} and QueueStats.objects.get(name="low").paused
    assert codes(data(api, QUEUE_ACTION % "pauseQueue", {"name": "low"})["pauseQueue"]) == [
        "invalid_transition"
    ]
    assert data(api, QUEUE_ACTION % "resumeQueue", {"name": "low"})["resumeQueue"]["queue"]["paused"] is False
    assert codes(data(api, QUEUE_ACTION % "pauseQueue", {"name": "zzz"})["pauseQueue"]) == ["unknown_queue"]


def test_recurring_job_mutations(api):
    create = f"mutation($in: CreateRecurringJobInput!) {{ createRecurringJob(input: $in) {{ {RJ_FIELDS} }} }}"
    given = {"name": "r", "task": "tests.add", "args": [1, 2], "schedule": EVERY_5_MIN}
    created = data(api, create, {"in": given})["createRecurringJob"]
    rj_id = created["recurringJob"]["id"]
    assert created["errors"] == [] and created["recurringJob"]["schedule"] == EVERY_5_MIN
    assert codes(data(api, create, {"in": given})["createRecurringJob"]) == ["invalid_arguments"]
    update = (
        "mutation($id: ID!, $input: UpdateRecurringJobInput!) "
        "{ updateRecurringJob(id: $id, input: $input) { %s } }"
    )
    changed = data(api, update % RJ_FIELDS, {"id": rj_id, "input": {"description": "hourly"}})
    assert changed["updateRecurringJob"]["errors"] == []
    bad = data(api, update % RJ_FIELDS, {"id": rj_id, "input": {"schedule": {"crontab": {"minute": "99"}}}})
    assert codes(bad["updateRecurringJob"]) == ["invalid_schedule"]
    trigger = "mutation($id: ID!) { triggerRecurringJob(id: $id) { job { id status } errors { code } } }"
    run = data(api, trigger, {"id": rj_id})["triggerRecurringJob"]
    assert Job.objects.get(pk=run["job"]["id"]).recurring_job_id == int(rj_id)
    pause = "mutation($id: ID!) { %s(id: $id) { recurringJob { enabled } errors { code } } }"
    assert (
        data(api, pause % "pauseRecurringJob", {"id": rj_id})["pauseRecurringJob"]["recurringJob"]["enabled"]
        is False
    )
    assert codes(data(api, pause % "pauseRecurringJob", {"id": rj_id})["pauseRecurringJob"]) == [
        "invalid_transition"
    ]
    assert data(api, pause % "resumeRecurringJob", {"id": rj_id})["resumeRecurringJob"]["recurringJob"][
        "enabled"
    ]
    delete = "mutation($id: ID!) { deleteRecurringJob(id: $id) { deletedId errors { code } } }"
    assert data(api, delete, {"id": rj_id})["deleteRecurringJob"]["deletedId"] == rj_id
    assert codes(data(api, delete, {"id": rj_id})["deleteRecurringJob"]) == ["not_found"]
    assert not RecurringJob.objects.exists()


@pytest.mark.parametrize(
    ("query", "variables", "perm"),
    [
        (SCHEDULE, {"input": {"task": "tests.noop"}}, "schedule_job"),
        (JOB_ACTION % "cancelJob", {"id": "{job}"}, "cancel_job"),
        (JOB_ACTION % "retryJob", {"id": "{job}"}, "retry_job"),
        (QUEUE_ACTION % "pauseQueue", {"name": "high"}, "pause_queue"),
        (
            "mutation($id: ID!) { triggerRecurringJob(id: $id) { errors { code } } }",
            {"id": "{rj}"},
            "trigger_recurring_job",
        ),
        (
            "mutation($id: ID!) { pauseRecurringJob(id: $id) { errors { code } } }",
            {"id": "{rj}"},
            "pause_recurring_job",
        ),
        (
            "mutation($id: ID!) { deleteRecurringJob(id: $id) { errors { code } } }",
            {"id": "{rj}"},
            "delete_recurringjob",
        ),
    ],
)
def test_each_mutation_needs_its_permission(make_user, query, variables, perm):
    job = services.schedule_job("tests.noop", delay=600)
    if perm == "retry_job":
        services.cancel_job(job.pk)
    rj = services.create_recurring_job(name="r", task="tests.add", args=[1, 2], schedule=EVERY_5_MIN)
    filled = {k: v.format(job=job.pk, rj=rj.pk) if isinstance(v, str) else v for k, v in variables.items()}
    reader = token_client(make_user("view_job", "view_queuestats", "view_recurringjob", username="reader"))
    result = next(iter(data(reader, query, filled).values()))
    assert codes(result) == ["permission_denied"]
    assert Job.objects.count() == 1 and RecurringJob.objects.get().enabled
    assert not QueueStats.objects.filter(paused=True).exists()
    allowed = token_client(make_user(perm, username="allowed"))
    assert next(iter(data(allowed, query, filled).values()))["errors"] == []


def test_mutations_share_the_rest_action_throttle(api, settings):
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"jobs_actions": "2/min"}}
    cache.clear()
    assert api.post("/api/jobs/", {"task": "tests.noop"}, format="json").status_code == 201
    assert data(api, SCHEDULE, {"input": {"task": "tests.noop"}})["scheduleJob"]["errors"] == []
    refused = data(api, SCHEDULE, {"input": {"task": "tests.noop"}})["scheduleJob"]
    assert codes(refused) == ["throttled"] and Job.objects.count() == 2
    cache.clear()

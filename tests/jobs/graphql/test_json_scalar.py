"""The JSON scalar: args, kwargs, result and schedules are JSON values both ways, never strings."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from jobs.graphql.scalars import check_json
from jobs.models import Job, RecurringJob
from tests.jobs.graphql.client import data, gql

pytestmark = pytest.mark.django_db(transaction=True)

MIXED = [1, "push", 2.5, True, None, {"nested": [1, "a", {"deep": False}]}, []]
SCHEDULE = """mutation($input: ScheduleJobInput!) {
  scheduleJob(input: $input) { job { id args kwargs result } errors { code message field } }
}"""
JOB = "query($id: ID!) { job(id: $id) { status args kwargs result } }"


def test_args_of_mixed_types_round_trip_through_a_variable(admin):
    """A variable list of every JSON type is stored as itself and read back as itself."""
    payload = data(admin, SCHEDULE, {"input": {"task": "tests.echo", "kwargs": {"mixed": MIXED}}})
    job = payload["scheduleJob"]["job"]
    assert payload["scheduleJob"]["errors"] == [] and job["kwargs"] == {"mixed": MIXED}
    assert Job.objects.get(pk=job["id"]).kwargs == {"mixed": MIXED}
    assert data(admin, JOB, {"id": job["id"]})["job"]["kwargs"] == {"mixed": MIXED}


def test_args_written_as_a_graphql_literal(admin):
    literal = 'mutation { scheduleJob(input: {task: "tests.pair", args: [1, "push"]}) { job { id args } } }'
    job = data(admin, literal)["scheduleJob"]["job"]
    assert job["args"] == [1, "push"] and Job.objects.get(pk=job["id"]).args == [1, "push"]


def test_a_json_variable_inside_a_literal(admin):
    query = """mutation($second: JSON) {
      scheduleJob(input: {task: "tests.pair", args: [{a: null, b: [1.5]}, $second]}) { job { args } }
    }"""
    job = data(admin, query, {"second": {"k": "v"}})["scheduleJob"]["job"]
    assert job["args"] == [{"a": None, "b": [1.5]}, {"k": "v"}]


def test_result_is_a_json_object_not_a_string(admin, burst_worker):
    kwargs = {"count": 3, "names": ["a", "b"], "ok": True}
    scheduled = data(admin, SCHEDULE, {"input": {"task": "tests.echo", "kwargs": kwargs}})["scheduleJob"]
    job_id = scheduled["job"]["id"]
    burst_worker()
    job = data(admin, JOB, {"id": job_id})["job"]
    assert job["status"] == "succeeded" and job["result"] == kwargs


def test_recurring_schedule_is_an_object_both_ways(admin):
    query = """mutation {
      createRecurringJob(input: {name: "r", task: "tests.add", args: [1, 2],
                                 schedule: {interval: {every: 5, period: "minutes"}}}) {
        recurringJob { id args schedule } errors { code }
      }
    }"""
    created = data(admin, query)["createRecurringJob"]["recurringJob"]
    assert created["schedule"] == {"interval": {"every": 5, "period": "minutes"}}
    assert created["args"] == [1, 2]
    assert RecurringJob.objects.get(pk=created["id"]).interval.every == 5


def test_task_parameters_and_backoff_are_json(admin):
    tasks = {task["name"]: task for task in data(admin, "{ tasks { name parameters backoff } }")["tasks"]}
    assert tasks["tests.add"]["parameters"][0]["name"] == "a"
    assert tasks["tests.flaky"]["backoff"]["strategy"] == "fixed"


BODY = '{"query": "%s", "variables": {"input": {"task": "tests.add", "args": %s}}}'


@pytest.mark.parametrize(
    ("args", "said"),
    [("[NaN, 1]", "nan is not a JSON"), ("[Infinity]", "inf is not"), ("[" * 5000 + "]" * 5000, "deep")],
)
def test_values_json_cannot_hold_are_a_400_and_write_nothing(admin, args, said):
    """Python's decoder reads NaN and Infinity, and gives up on deep nesting: each is refused."""
    query = "mutation($input: ScheduleJobInput!) { scheduleJob(input: $input) { job { id } } }"
    response = admin.post("/graphql/", BODY % (query, args), content_type="application/json")
    assert response.status_code == 400 and said in response.json()["errors"][0]["message"]
    assert not Job.objects.exists()


def test_an_enum_literal_is_not_json(admin):
    literal = 'mutation { scheduleJob(input: {task: "tests.add", args: [RED, 1]}) { job { id } } }'
    response = gql(admin, literal)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "RED is not a JSON value; quote strings."
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [({"args": "[1, 2]"}, "args"), ({"args": {"a": 1}}, "args"), ({"args": [1, 2], "kwargs": [3]}, "kwargs")],
)
def test_json_of_the_wrong_shape_is_the_services_coded_refusal(admin, given, field):
    result = data(admin, SCHEDULE, {"input": {"task": "tests.add", **given}})["scheduleJob"]
    assert result["job"] is None and result["errors"][0]["code"] == "invalid_arguments"
    assert result["errors"][0]["field"] == field and not Job.objects.exists()


@pytest.mark.parametrize("value", [float("nan"), {1: "a"}, {1, 2}, b"x", [[float("inf")]]])
def test_check_json_refuses_what_json_cannot_hold(value):
    with pytest.raises(GraphQLError):
        check_json(value)

"""GraphiQL for a developer: introspection (when on) is outside the limits; a browser is sent to log in."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from tests.jobs.graphql.client import gql

ON = {"INTROSPECTION": True, "MAX_DEPTH": 8}


def test_graphiqls_own_introspection_query_passes_the_limits(admin, settings):
    settings.JOBS_GRAPHQL = ON
    response = gql(admin, get_introspection_query(descriptions=True))
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_the_limits_still_count_a_querys_own_fields_beside_introspection(admin, settings):
    settings.JOBS_GRAPHQL = {**ON, "MAX_DEPTH": 2}
    query = "{ __schema { types { name } } jobs { edges { node { id } } } }"
    body = gql(admin, query).json()
    assert "Query depth 4 exceeds the limit of 2" in body["errors"][0]["message"]


def test_a_hand_made_endless_introspection_query_is_refused(admin, settings):
    settings.JOBS_GRAPHQL = ON
    nested = "name"
    for _ in range(15):
        nested = f"fields {{ type {{ {nested} }} }}"
    body = gql(admin, "{ __schema { types { %s } } }" % nested).json()  # noqa: UP031
    assert "Introspection depth" in body["errors"][0]["message"]


@pytest.mark.parametrize("field", ["__schema { queryType { name } }", '__type(name: "Query") { name }'])
def test_with_introspection_off_it_is_refused_as_before(admin, settings, field):
    settings.JOBS_GRAPHQL = {"INTROSPECTION": False}
    body = gql(admin, "{ %s }" % field).json()  # noqa: UP031
    assert "introspection" in body["errors"][0]["message"].lower()


def test_schedule_job_refuses_arguments_of_the_wrong_type_on_the_args_field(admin):
    mutation = """mutation { scheduleJob(input: {task: "tests.add", args: ["a", "b"]}) {
        job { id } errors { code message field } } }"""
    body = gql(admin, mutation).json()
    errors = body["data"]["scheduleJob"]["errors"]
    assert errors[0]["code"] == "invalid_arguments" and errors[0]["field"] == "args"
    assert 'a must be a number, not "a"' in errors[0]["message"]


def test_a_browser_opening_graphiql_without_login_goes_to_the_login(client, settings):
    settings.JOBS_GRAPHQL = {"GRAPHIQL": True}
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/graphql/"
    assert client.get("/graphql/", HTTP_ACCEPT="application/json").status_code == 401
    settings.JOBS_GRAPHQL = {"GRAPHIQL": False}
    assert client.get("/graphql/", HTTP_ACCEPT="text/html").status_code == 401

"""The OpenAPI schema is valid and the API keeps it: schemathesis drives every operation.

``MAX_EXAMPLES`` generated requests per operation, from a fixed seed, both requests that
fit the schema and requests that don't (schemathesis's negative mode: past a declared
``maximum``, wrong types). Hooks add the numbers that broke things before: huge,
negative, NaN and infinities in every numeric body field, interval and page size.
Any 5xx, any response that doesn't match the schema, an undocumented status code or
content type fails. The whole module takes about a minute and a half on two cores;
``timeout`` boxes each operation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from jobs import services
from jobs.api.docs import openapi_document
from jobs.api.urls import api_patterns
from jobs.models import Alert

MAX_EXAMPLES = 50
SEED = 20261201
# JSON has no NaN or infinities: they go as the strings DRF's number fields would read.
EDGE_NUMBERS = st.sampled_from(
    [1e20, -1e20, 1e12, 1e308, -1, 0, -0.0, 2**31, 2**63, 10**30, -(10**30), "NaN", "Infinity", "1e400"]
)
NUMERIC_BODY_FIELDS = {
    "/api/jobs/": ("delay_seconds", "max_attempts"),
    "/api/jobs/bulk/": ("delay_seconds", "max_attempts"),
    "/api/recurring-jobs/": ("max_concurrent_runs",),
    "/api/recurring-jobs/{id}/": ("max_concurrent_runs",),
}
ALERT_RULE_NUMBERS = ("threshold", "window_minutes", "min_jobs", "repeat_minutes")
"""Numeric fields of /api/alert-rules/ bodies; a failure-rate rule uses them all."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_schema_is_valid_openapi_3():
    schema = openapi_document(api_patterns)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {"/api/jobs/", "/api/jobs/bulk/", "/api/jobs/{id}/logs/", "/api/queues/{name}/pause/"} <= paths
    assert {"/api/recurring-jobs/{id}/trigger/", "/api/metrics/", "/api/health/", "/api/tasks/"} <= paths
    assert {"/api/jobs/{id}/rerun/", "/api/jobs/bulk-retry/", "/api/jobs/bulk-cancel/"} <= paths
    assert {"/api/jobs/bulk-delete/", "/api/alert-rules/", "/api/alert-rules/{id}/", "/api/alerts/"} <= paths
    assert set(schema["paths"]["/api/jobs/{id}/"]) == {"get", "delete"}
    assert set(schema["paths"]["/api/alert-rules/{id}/"]) == {"get", "patch", "delete"}
    assert "409" in schema["paths"]["/api/jobs/{id}/"]["delete"]["responses"]
    error = schema["paths"]["/api/jobs/{id}/retry/"]["post"]["responses"]["409"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


@pytest.mark.django_db
def test_schema_and_docs_need_login_and_load_nothing_from_a_cdn(admin_client):
    assert APIClient().get("/api/schema/").status_code in (401, 403)
    assert admin_client.get("/api/schema/?format=json").json()["openapi"].startswith("3.")
    page = admin_client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower() and "https://" not in page


@pytest.fixture
def auth_headers(transactional_db) -> dict[str, str]:
    """A superuser's token; a transactional database because the WSGI handler closes connections."""
    user = get_user_model().objects.create_superuser("contract", password="pw")
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def _load_schema() -> schemathesis.schemas.BaseSchema:
    """The schema as /api/schema/ serves it, generated without a request (no database needed)."""
    document = json.loads(OpenApiJsonRenderer().render(openapi_document(api_patterns)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def _with_edges(body: dict[str, Any], fields: tuple[str, ...]) -> st.SearchStrategy:
    """The body made runnable with one numeric field (or a recurring interval) at an edge, or as is.

    A generated task name is never registered, and the service refuses an unknown task
    before it reads any number: so the edge cases name ``tests.noop``, or they would
    never reach the checks they are for (how ``delay_seconds: 1e12`` escaped before).
    """
    runnable = {name: value for name, value in body.items() if name not in ("run_at", "depends_on")}
    runnable.update(task="tests.noop", args=[], kwargs={})
    if "max_concurrent_runs" in fields:
        runnable["schedule"] = {"interval": {"every": 1, "period": "hours"}}
    choices = [EDGE_NUMBERS.map(lambda value, name=name: {**runnable, name: value}) for name in fields]
    if "max_concurrent_runs" in fields:
        interval = EDGE_NUMBERS.map(lambda every: {"interval": {"every": every, "period": "days"}})
        choices.append(interval.map(lambda schedule: {**runnable, "schedule": schedule}))
    return st.one_of([*choices, st.just(body)])


def _alert_rule_with_edges(body: dict[str, Any]) -> st.SearchStrategy:
    """A failure-rate rule valid but for one number at an edge, or the body as is."""
    runnable = {"name": "edge", "kind": "failure_rate", "threshold": 10}
    choices = [
        EDGE_NUMBERS.map(lambda value, name=name: {**runnable, name: value}) for name in ALERT_RULE_NUMBERS
    ]
    return st.one_of([*choices, st.just(body)])


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy:
    path = context.operation.path if context.operation else ""
    if isinstance(body, dict) and path.startswith("/api/alert-rules/"):
        return _alert_rule_with_edges(body)
    fields = NUMERIC_BODY_FIELDS.get(path, ())
    if not isinstance(body, dict) or not fields:
        return st.just(body)
    if "jobs" in body:
        jobs = body["jobs"]
        if not (isinstance(jobs, list) and jobs and isinstance(jobs[0], dict)):
            return st.just(body)
        return _with_edges(jobs[0], fields).map(lambda job: {**body, "jobs": [job, *jobs[1:]]})
    return _with_edges(body, fields)


@schema.hook
def flatmap_query(context: schemathesis.HookContext, query: Any) -> st.SearchStrategy:
    """``page_size`` at an edge, spelt as the query string would carry it."""
    if not isinstance(query, dict) or "page_size" not in query:
        return st.just(query)
    return st.one_of(st.just(query), EDGE_NUMBERS.map(lambda size: {**query, "page_size": str(size)}))


@pytest.fixture
def existing_objects(auth_headers) -> None:
    """A job of each kind of state, a recurring job, an alert rule and its open alert.

    So reads and actions on real rows get exercised too.
    """
    services.schedule_job("tests.add", args=[1, 2])
    services.cancel_job(services.schedule_job("tests.add", args=[1, 2], delay=60).pk)
    services.create_recurring_job(
        name="contract", task="tests.add", args=[1, 2], schedule={"interval": {"every": 1, "period": "hours"}}
    )
    rule = services.create_alert_rule(name="contract", kind="backlog", threshold=10)
    now = timezone.now()
    Alert.objects.create(
        rule=rule, subject="queue:normal", message="11", started_at=now, last_notified_at=now
    )


@pytest.mark.timeout(60)
@schema.parametrize()
@seed(SEED)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, auth_headers, existing_objects):
    # /api/health/ answers 503 by design when a check fails (no worker runs here).
    checks = CHECKS[1:] if case.path == "/api/health/" else CHECKS
    case.call_and_validate(headers=auth_headers, checks=checks)

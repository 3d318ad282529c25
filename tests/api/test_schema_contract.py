"""The OpenAPI schema is valid and the API keeps it: schemathesis drives every operation.

A bounded number of generated requests per operation (``MAX_EXAMPLES``); any 5xx, any
response that doesn't match the schema, an undocumented status code or content type fails.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from jobs import services

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_schema_is_valid_openapi_3():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {"/api/jobs/", "/api/jobs/bulk/", "/api/jobs/{id}/logs/", "/api/queues/{name}/pause/"} <= paths
    assert {"/api/recurring-jobs/{id}/trigger/", "/api/metrics/", "/api/health/", "/api/tasks/"} <= paths
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
    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


@pytest.fixture
def existing_objects(auth_headers) -> None:
    """A job and a recurring job, so reads and actions on real rows get exercised too."""
    services.schedule_job("demo.add", args=[1, 2])
    services.create_recurring_job(
        name="contract", task="demo.add", args=[1, 2], schedule={"interval": {"every": 1, "period": "hours"}}
    )


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, auth_headers, existing_objects):
    # /api/health/ answers 503 by design when a check fails (no worker runs here).
    checks = CHECKS[1:] if case.path == "/api/health/" else CHECKS
    case.call_and_validate(headers=auth_headers, checks=checks)

"""REST reads its limits, permissions and field lists from the tables the other interfaces read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobs.api import serializers as s
from jobs.api.docs import openapi_document
from jobs.api.urls import api_patterns, router
from jobs.core import rules
from jobs.models import Job
from jobs.services import actions, shapes
from tests.jobs.api.assertions import assert_error

API = Path(s.__file__).resolve().parent.parent


@pytest.mark.django_db
def test_max_attempts_past_core_rules_is_refused_by_the_serializer(api):
    assert s.ScheduleJobSerializer().fields["max_attempts"].max_value == rules.MAX_ATTEMPTS
    too_many = {"task": "tests.noop", "max_attempts": rules.MAX_ATTEMPTS + 1}
    error = assert_error(api.post("/api/jobs/", too_many, format="json"), 400)
    # DRF's own refusal ("invalid", its message), not the service's ("invalid_arguments", "out of range").
    assert error["code"] == "invalid" and str(rules.MAX_ATTEMPTS) in error["fields"]["max_attempts"]
    assert not Job.objects.exists()
    at_most = {"task": "tests.noop", "max_attempts": rules.MAX_ATTEMPTS}
    assert api.post("/api/jobs/", at_most, format="json").json()["max_attempts"] == rules.MAX_ATTEMPTS


def test_the_schema_declares_the_bulk_limits_of_the_actions_table():
    components = openapi_document(api_patterns)["components"]["schemas"]
    for name, action in [
        ("BulkRetryRequest", "retry_job"),
        ("BulkCancelRequest", "cancel_job"),
        ("BulkDeleteRequest", "delete_job"),
    ]:
        assert components[name]["properties"]["ids"]["maxItems"] == actions.bulk_limit(action)
    assert s.BulkScheduleSerializer().fields["jobs"].max_length == actions.bulk_limit("schedule_job")


@pytest.mark.parametrize(
    ("serializer", "fields"),
    [
        (s.JobSerializer, shapes.JOB_FIELDS),
        (s.JobLogSerializer, shapes.JOB_LOG_FIELDS),
        (s.QueueSerializer, shapes.QUEUE_FIELDS),
        (s.RecurringJobSerializer, shapes.RECURRING_JOB_FIELDS),
        (s.AlertRuleSerializer, shapes.ALERT_RULE_FIELDS),
    ],
)
def test_serializers_show_the_shared_shapes(serializer, fields):
    assert tuple(serializer().fields) == fields


def test_every_permission_comes_from_the_actions_table_and_every_action_is_throttled():
    known = {action.permission for action in actions.ACTIONS.values()}
    for prefix, viewset, _ in router.registry:
        assert set(viewset.permission_map.values()) <= known, prefix
        writes = {name for name, permission in viewset.permission_map.items() if ".view_" not in permission}
        assert writes <= viewset.throttled_actions, prefix


def test_no_permission_codename_is_spelt_in_the_api():
    literal = re.compile(r"""["']jobs\.[a-z_]+["']""")
    spelt = {
        f"{path.relative_to(API)}: {match}"
        for path in API.rglob("*.py")
        for match in literal.findall(path.read_text())
    }
    assert not spelt

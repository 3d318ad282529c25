"""A service's refusal becomes a REST status by its class, with the code clients already branch on."""

from __future__ import annotations

import pytest

from jobs import exceptions as e
from jobs.api.errors import jobs_error_response


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (e.JobNotFound("x"), 404, "not_found"),
        (e.RecurringJobNotFound("x"), 404, "not_found"),
        (e.AlertRuleNotFound("x"), 404, "not_found"),
        (e.NotFound("x"), 404, "not_found"),
        (e.UnknownTask("x"), 400, "unknown_task"),
        (e.UnknownQueue("x"), 400, "unknown_queue"),
        (e.InvalidAlertRule("x"), 400, "invalid_alert_rule"),
        (e.DependencyFailed("x"), 400, "dependency_failed"),
        (e.InvalidTransition("x"), 409, "invalid_transition"),
        (e.Conflict("x"), 409, "conflict"),
        (e.PermissionMissing("x"), 403, "permission_denied"),
        (e.Forbidden("x"), 403, "forbidden"),
        (e.JobsError("x"), 400, "invalid"),
    ],
)
def test_each_kind_of_refusal_has_its_status(error, status, code):
    response = jobs_error_response(error)
    assert response.status_code == status
    assert response.data == {"error": {"code": code, "message": "x", "fields": {}}}


def test_a_new_subclass_needs_no_entry_and_keeps_its_own_code():
    class Locked(e.Conflict):
        code = "locked"

    response = jobs_error_response(Locked("busy", fields={"id": "locked"}))
    assert response.status_code == 409
    assert response.data["error"] == {"code": "locked", "message": "busy", "fields": {"id": "locked"}}

"""``GET /api/jobs/<id>/attempts/``: the history, first to last; 404 for unknown ids; permission."""

from __future__ import annotations

import pytest

from tests.attempts_scene import XSS, job_with_history

pytestmark = pytest.mark.django_db


def test_the_history_lists_failed_attempts_and_the_current_one(api):
    job = job_with_history()
    body = api.get(f"/api/jobs/{job.pk}/attempts/").json()
    assert [(a["number"], a["outcome"], a["worker"]) for a in body] == [
        (1, "failed", "w1"),
        (2, "failed", "w2"),
        (3, "started", "w3"),
    ]
    assert body[1]["error"] == f"KeyError: {XSS}" and body[1]["exception_class_path"] == "builtins.KeyError"
    assert body[0]["duration"] == 2.0 and "Traceback" in body[0]["traceback"]


@pytest.mark.parametrize("job_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_jobs_are_404(api, job_id):
    response = api.get(f"/api/jobs/{job_id}/attempts/")
    assert response.status_code == 404 and "No job with id" in response.json()["error"]["message"]


def test_it_needs_the_view_permission(make_user):
    from tests.factories import token_client

    job = job_with_history()
    assert token_client(make_user(username="nobody")).get(f"/api/jobs/{job.pk}/attempts/").status_code == 403
    assert (
        token_client(make_user("view_job", username="v")).get(f"/api/jobs/{job.pk}/attempts/").status_code
        == 200
    )

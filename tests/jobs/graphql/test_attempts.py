"""``job { attemptHistory { … } }`` in GraphQL."""

from __future__ import annotations

import pytest

from tests.attempts_scene import XSS, job_with_history
from tests.jobs.graphql.client import data

pytestmark = pytest.mark.django_db

QUERY = """query($id: ID!) { job(id: $id) { attempts attemptHistory {
  number worker outcome error exceptionClassPath traceback duration startedAt } } }"""


def test_the_job_type_has_its_attempt_history(viewer):
    job = job_with_history()
    found = data(viewer, QUERY, {"id": str(job.pk)})["job"]
    assert found["attempts"] == 3
    history = found["attemptHistory"]
    assert [(a["number"], a["outcome"]) for a in history] == [(1, "failed"), (2, "failed"), (3, "started")]
    assert (
        history[1]["error"] == f"KeyError: {XSS}" and history[1]["exceptionClassPath"] == "builtins.KeyError"
    )
    assert history[2]["error"] == "" and history[0]["duration"] == 2.0

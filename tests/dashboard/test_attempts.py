"""The dashboard's job page shows the attempt history, escaped."""

from __future__ import annotations

import pytest

from tests.attempts_scene import XSS, job_with_history

pytestmark = pytest.mark.django_db


def test_the_job_page_lists_each_attempt(viewer):
    job = job_with_history()
    page = viewer.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "<h2>Attempts</h2>" in page
    assert page.count("data-attempt=") == 3
    assert "builtins.ValueError" in page and "w3" in page
    assert XSS not in page and "&lt;script&gt;" in page


def test_a_job_that_never_ran_has_no_attempts_table(viewer):
    from tests.factories import make_job

    page = viewer.get(f"/dashboard/jobs/{make_job().pk}/").content.decode()
    assert "data-attempts-table" not in page

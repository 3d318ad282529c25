"""The job's admin page lists its failed attempts, escaped, to whoever may view the job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.attempts_scene import XSS, job_with_history
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_the_change_page_shows_every_failed_attempt(client):
    job = job_with_history()
    staff(client, "view_job")
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Failed attempts" in page
    assert "ValueError: first" in page and "builtins.KeyError" in page and "w2" in page
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'name="failed_attempts-0-error"' not in page  # read-only: no form fields

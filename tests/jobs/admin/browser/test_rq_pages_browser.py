"""django-rq's pages in a real browser: no action control shows, no visible link errs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_rq.settings import get_queues_map

from jobs.core.states import JobStatus
from jobs.models import Job
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACTION_CONTROLS = (
    "select[name=action]",
    "input[name=_selected_action]",
    "#action-toggle",
    "a.deletelink",
    "a.requeuelink",
    "input[type=submit]",
)


def visible_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "#content a[href]", "links => links.filter(a => a.offsetParent !== null).map(a => a.href)"
    )


def test_django_rq_pages_offer_no_actions_and_every_visible_link_works(page, rq_jobs):
    failed, running, queued = rq_jobs["failed"], rq_jobs["running"], rq_jobs["queued"]
    high, low = get_queues_map()["high"], get_queues_map()["low"]
    pages = [
        reverse("django_rq:home"),
        reverse("django_rq:jobs", args=[low]),
        reverse("django_rq:failed_jobs", args=[high]),
        reverse("django_rq:started_jobs", args=[high]),
        reverse("django_rq:job_detail", args=[high, str(running.pk)]),
        reverse("django_rq:job_detail", args=[high, str(failed.pk)]),
        reverse("django_rq:job_detail", args=[low, str(queued.pk)]),
        reverse("django_rq:workers", args=[high]),
    ]
    for url in pages:
        page.goto(url)
        for selector in ACTION_CONTROLS:
            controls = page.locator(selector)
            shown = [controls.nth(i).is_visible() for i in range(controls.count())]
            assert not any(shown), f"{selector} shows on {url}"
        for link in visible_links(page):
            status = page.request.get(link).status
            assert status < 400, f"{link} on {url} answers {status}"
    page.goto(reverse("django_rq:job_detail", args=[high, str(running.pk)]))
    screenshot(page, "admin/django-rq-running-job")
    assert Job.objects.get(pk=running.pk).status == JobStatus.STARTED

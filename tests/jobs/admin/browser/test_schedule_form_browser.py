"""The scheduling form in a browser: the admin's widgets, the When choice, arguments by parameter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible(page, selector: str) -> bool:
    return page.locator(selector).is_visible()


def test_the_when_choice_shows_only_the_field_it_needs_with_the_admins_picker(page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(reverse("admin:jobs_job_add"))
    assert not visible(page, ".field-run_at") and not visible(page, ".field-delay")
    page.check("input[name=when][value=at]")
    assert visible(page, ".field-run_at") and not visible(page, ".field-delay")
    assert page.locator(".field-run_at .datetimeshortcuts").count() == 2  # calendar and clock
    page.check("input[name=when][value=delay]")
    assert visible(page, ".field-delay") and not visible(page, ".field-run_at")
    assert errors == []


def test_arguments_are_asked_for_by_parameter_and_land_in_the_json(page):
    page.goto(reverse("admin:jobs_job_add"))
    page.select_option("#id_task", "tests.typed")
    labels = page.locator("#task-parameters label").all_inner_texts()
    assert labels == ["count:", "ratio:", "label:", "mode:", "flags:", "options:", "dry_run:"]
    assert page.get_attribute("#id_param_count", "type") == "number"
    page.fill("#id_param_count", "3")
    page.select_option("#id_param_mode", label='"slow"')
    page.select_option("#id_param_dry_run", "true")
    page.fill("#id_param_flags", "[true, false]")
    page.fill("#id_param_label", "hello")
    page.check("input[name=when][value=delay]")
    page.fill("#id_delay", "600")
    page.click("input[value=Schedule]")
    page.wait_for_selector(".messagelist .success")
    job = Job.objects.get(task="tests.typed")
    assert job.kwargs == {
        "count": 3,
        "mode": "slow",
        "dry_run": True,
        "flags": [True, False],
        "label": "hello",
    }
    assert job.status == "scheduled"


def test_a_refused_argument_is_shown_on_the_form(page):
    page.goto(reverse("admin:jobs_job_add"))
    page.select_option("#id_task", "tests.add")
    page.fill("#id_param_a", "1")
    page.fill("#id_args", "")
    page.fill("#id_kwargs", '{"a": 1, "b": "two"}')
    page.click("input[value=Schedule]")
    page.wait_for_selector(".errorlist")
    assert (
        'b must be a number, not "two"'
        in page.locator(".field-kwargs, .field-args").all_inner_texts()[0]
        + (page.locator(".errorlist").all_inner_texts()[0])
    )
    assert not Job.objects.exists()

"""The admin in a real browser, with a real rqworker subprocess running the jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job, JobLog, QueueStats
from jobs.services import schedule_job
from tests.conftest import screenshot, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS = "<script>alert(1)</script>"


def detail(job: Job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


def status_of(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_schedule_sleep_from_the_form_and_watch_it_run(page, processes):
    processes.worker("high", "normal", "low")
    page.goto(reverse("admin:jobs_job_add"))
    page.select_option("#id_task", "tests.sleep")
    page.fill("#id_kwargs", '{"seconds": 1}')
    page.click("input[value=Schedule]")
    page.wait_for_selector(".messagelist .success")
    job = Job.objects.get(task="tests.sleep")

    def shows_succeeded() -> bool:
        page.reload()
        return page.locator(".jobs-badge").first.inner_text() == "Succeeded"

    wait_for(shows_succeeded, timeout=60, interval=1, message="the detail page to show Succeeded")
    assert status_of(job) == "succeeded"
    assert "Scheduled by admin via admin." in page.locator("#job-timeline").inner_text()
    screenshot(page, "admin/job-detail")
    page.goto(reverse("admin:jobs_job_changelist"))
    assert "tests.sleep" in page.locator("#result_list").inner_text()
    screenshot(page, "admin/job-list")


def test_cancel_a_waiting_job_with_its_button(page):
    job = schedule_job("tests.add", args=[1, 2], delay=600)
    page.goto(detail(job))
    page.click("button:has-text('Cancel')")
    page.wait_for_selector(".messagelist .success")
    assert page.locator(".jobs-badge").first.inner_text() == "Cancelled"
    assert status_of(job) == "cancelled"
    assert page.locator("button:has-text('Cancel')").count() == 0


def test_retry_a_failed_job_and_the_worker_runs_it_again(page, processes):
    processes.worker("normal")
    job = schedule_job("tests.fail", args=["first"], queue="normal")
    wait_for(lambda: status_of(job) == "failed", timeout=60, message="the first failure")
    page.goto(detail(job))
    page.click("button:has-text('Retry')")
    page.wait_for_selector(".messagelist .success")
    wait_for(
        lambda: status_of(job) == "failed" and job.attempts == 2, timeout=60, message="the retried attempt"
    )
    assert JobLog.objects.filter(job=job, interface="admin", message__startswith="Retried by admin").exists()


def test_pause_and_resume_a_queue(page):
    page.goto(reverse("admin:jobs_queuestats_changelist"))
    page.click("#queue-low button:has-text('Pause')")
    page.wait_for_selector("#queue-low .jobs-paused")
    assert QueueStats.objects.get(name="low").paused
    page.click("#queue-low button:has-text('Resume')")
    page.wait_for_selector("#queue-low button:has-text('Pause')")
    assert not QueueStats.objects.get(name="low").paused


def test_script_in_args_and_error_shows_as_text_and_never_runs(page, processes):
    processes.worker("normal")
    job = schedule_job("tests.fail", args=[XSS], queue="normal")
    wait_for(lambda: status_of(job) == "failed", timeout=60, message="the job to fail")
    page.goto(f"{reverse('admin:jobs_job_changelist')}?q={job.pk}")
    page.goto(detail(job))
    assert XSS in page.locator(".field-error_text").inner_text()
    assert XSS in page.locator(".field-args_json").inner_text()
    page.goto(f"{reverse('admin:jobs_job_changelist')}?q=alert")
    assert page.locator("#result_list").count() == 1
    assert page.dialogs == []

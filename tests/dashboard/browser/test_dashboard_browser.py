"""The dashboard in a real browser, with real worker and scheduler processes."""

from __future__ import annotations

import re

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from jobs.models import Job, JobLog, QueueStats, QueueStatsHistory
from jobs.services import schedule_job
from tests.conftest import screenshot, wait_for
from tests.dashboard.conftest import XSS
from tests.factories import make_jobs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def status_of(job: Job) -> str:
    return Job.objects.get(pk=job.pk).status


def progress(bar) -> float:
    """The bar's value as the page's script set it (the value attribute reflects it)."""
    return float(bar.get_attribute("value") or 0)


def test_progress_bar_moves_and_log_grows_without_a_reload(page, processes):
    processes.worker("high", "normal", "low")
    job = schedule_job("tests.sleep", args=[6])
    page.goto(f"/dashboard/jobs/{job.pk}/")
    page.evaluate("window.notReloaded = true")
    log_rows = page.locator("[data-log] tr")
    shown_at_load = log_rows.count()
    bar = page.locator("#progress")
    first = wait_for(lambda: progress(bar), timeout=60, message="progress above 0")
    screenshot(page, "dashboard/job-running")
    wait_for(lambda: progress(bar) > first, timeout=30, message="progress moves on")
    expect(page.locator("[data-status]")).to_have_text("succeeded", timeout=60_000)
    assert progress(bar) == 100 > first
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator('[data-log] tr[data-event="succeeded"]')).to_have_count(1, timeout=30_000)
    assert log_rows.count() > shown_at_load
    screenshot(page, "dashboard/job-succeeded")


def test_cancel_a_running_job(page, processes):
    processes.worker("high", "normal", "low")
    job = schedule_job("tests.sleep", args=[60])
    page.goto(f"/dashboard/jobs/{job.pk}/")
    expect(page.locator("[data-status]")).to_have_text("started", timeout=60_000)
    page.click("button[data-action=cancel]")
    expect(page.locator(".messages")).to_contain_text("Cancelled job")
    expect(page.locator("[data-status]")).to_have_text("cancelled")
    assert status_of(job) == "cancelled"
    assert JobLog.objects.filter(job=job, event="cancelled", interface="dashboard").exists()
    screenshot(page, "dashboard/job-cancelled")


def test_retry_a_failed_job_from_the_failed_page(page, processes):
    processes.worker("high", "normal", "low")
    job = schedule_job("tests.fail", args=["on purpose"])
    wait_for(lambda: status_of(job) == "failed", timeout=60, message="job failed")
    page.goto("/dashboard/failed/")
    row = page.locator("tr", has_text="tests.fail")
    expect(row).to_contain_text("RuntimeError")
    screenshot(page, "dashboard/failed")
    row.get_by_role("button", name=re.compile("Retry all")).click()
    expect(page.locator(".messages")).to_contain_text("Retried 1 job(s).")
    wait_for(lambda: Job.objects.get(pk=job.pk).attempts == 2 and status_of(job) == "failed", timeout=60)
    assert JobLog.objects.filter(job=job, event="manual", interface="dashboard").exists()


def test_pause_a_queue_a_new_job_waits_resume_and_it_runs(page, processes):
    processes.worker("high", "normal", "low")
    page.goto("/dashboard/queues/")
    page.locator('tr[data-queue="low"]').get_by_role("button", name="Pause").click()
    expect(page.locator('tr[data-queue="low"] [data-field=paused]')).to_have_text("paused")
    waiting = schedule_job("tests.add", args=[1, 2], queue="low")
    control = schedule_job("tests.add", args=[3, 4], queue="normal")
    wait_for(lambda: status_of(control) == "succeeded", timeout=60, message="worker runs other queues")
    page.goto(f"/dashboard/jobs/{waiting.pk}/")
    expect(page.locator("[data-status]")).to_have_text("queued")
    assert status_of(waiting) == "queued"
    screenshot(page, "dashboard/job-waiting-paused-queue")
    page.goto("/dashboard/queues/")
    screenshot(page, "dashboard/queues")
    page.locator('tr[data-queue="low"]').get_by_role("button", name="Resume").click()
    expect(page.locator('tr[data-queue="low"] [data-field=paused]')).to_have_text("active")
    page.goto(f"/dashboard/jobs/{waiting.pk}/")
    expect(page.locator("[data-status]")).to_have_text("succeeded", timeout=60_000)


def test_overview_figures_and_chart_render_with_data(page, processes):
    processes.worker("high", "normal", "low")
    processes.scheduler()
    jobs = [schedule_job("tests.add", args=[i, i]) for i in range(5)]
    wait_for(lambda: all(status_of(job) == "succeeded" for job in jobs), timeout=60)
    # Summed over the per-minute rows: the five may straddle a minute boundary.
    history = QueueStatsHistory.objects.filter(queue="normal")
    wait_for(
        lambda: (history.aggregate(total=Sum("processed"))["total"] or 0) >= 5,
        timeout=60,
        message="the scheduler's housekeeper folded the counters",
    )
    page.goto("/dashboard/")
    chart = page.locator("figure[data-kind-chart=throughput]")
    svg = page.request.get(chart.get_attribute("data-chart")).text()
    assert "normal processed" in svg and "<script" not in svg
    assert "no data yet" not in svg
    assert QueueStats.objects.get(name="normal").processed_total >= 5
    expect(page.locator('tr[data-queue="normal"]')).to_be_visible()
    screenshot(page, "dashboard/overview")
    page.goto("/dashboard/workers/")
    expect(page.locator("tbody")).to_contain_text("normal")
    screenshot(page, "dashboard/workers")
    page.goto("/dashboard/recurring/")
    screenshot(page, "dashboard/recurring")


def test_live_figures_update_on_the_overview(page, processes):
    processes.scheduler()
    page.goto("/dashboard/")
    page.evaluate("window.notReloaded = true")
    for i in range(3):
        schedule_job("tests.add", args=[i, i], queue="high")
    expect(page.locator('tr[data-queue="high"] [data-field=waiting]')).to_have_text("3", timeout=60_000)
    assert page.evaluate("window.notReloaded") is True


def test_args_with_markup_show_as_text_everywhere(page, processes):
    processes.worker("high", "normal", "low")
    job = schedule_job("tests.fail", args=[XSS])
    wait_for(lambda: status_of(job) == "failed", timeout=60, message="the task raises with the markup")
    JobLog.objects.create(job=job, message=XSS)
    for name, url in [
        ("jobs", "/dashboard/jobs/"),
        ("job-detail", f"/dashboard/jobs/{job.pk}/"),
        ("failed-xss", "/dashboard/failed/"),
        ("overview-xss", "/dashboard/"),
        ("queue-detail", "/dashboard/queues/normal/"),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("img[src=x]").count() == 0, url
        screenshot(page, name)
    page.goto(f"/dashboard/jobs/{job.pk}/")
    expect(page.locator("pre.json").first).to_contain_text(XSS)
    page.wait_for_timeout(3000)
    assert page.dialogs == []


def test_pages_fit_a_phone_and_are_keyboard_reachable(page):
    make_jobs(30, status="failed", error="RuntimeError: boom")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in [("phone-overview", "/dashboard/"), ("phone-jobs", "/dashboard/jobs/")]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        screenshot(page, name)
    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Jobdesk"


def test_delete_a_job_button_then_confirm_and_it_is_gone(page):
    job = make_jobs(1, status="failed", error="RuntimeError: boom")[0]
    page.goto(f"/dashboard/jobs/{job.pk}/")
    page.click("button[data-action=delete]")
    expect(page.locator("h1")).to_have_text(f"Delete job tests.add {job.pk}?")
    assert Job.objects.filter(pk=job.pk).exists()
    screenshot(page, "dashboard/job-delete-confirm")
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url(re.compile(r".*/dashboard/jobs/$"))
    expect(page.locator(".messages")).to_contain_text(f"Deleted job {job.pk}.")
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not JobLog.objects.filter(job_id=job.pk).exists()

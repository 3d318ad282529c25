"""What an operator sees in the console (issue 18): live pages, legible charts, dark mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs.models import Job
from jobs.services import schedule_job
from tests.conftest import screenshot
from tests.factories import make_jobs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


SHOWN_FONT_SIZES = """els => els.map(e => {
    const m = e.getScreenCTM();
    return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b);
})"""
"""Each SVG text's font size as drawn on screen, in CSS pixels (scale and rotation included)."""


def console_errors(page) -> list[str]:
    """Collect console errors and uncaught exceptions from now on."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_the_job_page_ends_with_the_right_buttons_result_and_timeline_without_a_reload(page, processes):
    processes.worker("high", "normal", "low")
    job = schedule_job("tests.sleep", args=[3])
    errors = console_errors(page)
    page.goto(f"/dashboard/jobs/{job.pk}/")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("button[data-action=cancel]")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-status]")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("button[data-action=cancel]")).to_have_count(0)
    expect(page.locator("button[data-action=rerun]")).to_be_visible()
    expect(page.locator("pre[data-result]")).to_contain_text(str(Job.objects.get(pk=job.pk).result))
    expect(page.locator("ol.timeline li").last).to_contain_text("succeeded")
    expect(page.locator('[data-log] tr[data-event="succeeded"]')).to_have_count(1)
    expect(page.locator('[data-log] tr[data-event="progress"]')).to_have_count(0)
    expect(page.locator("[data-progress-message]")).to_have_text("slept 3 of 3 s")
    assert page.evaluate("window.notReloaded") is True
    assert errors == []
    screenshot(page, "console/job-finished-live")


def test_a_new_job_appears_in_the_list_and_pausing_stops_it(page):
    errors = console_errors(page)
    make_jobs(3, status="succeeded")
    page.goto("/dashboard/jobs/")
    page.evaluate("window.notReloaded = true")
    rows = page.locator("tbody[data-rows] tr[data-job-id]")
    expect(rows).to_have_count(3)
    fresh = schedule_job("tests.add", args=[1, 2], delay=3600)
    expect(page.locator(f'tr[data-job-id="{fresh.pk}"]')).to_be_visible(timeout=20_000)
    expect(page.locator(f'tr[data-job-id="{fresh.pk}"] [data-status]')).to_have_text("scheduled")
    toggle = page.locator("[data-live-toggle]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    hidden = schedule_job("tests.add", args=[3, 4], delay=3600)
    page.wait_for_timeout(5000)  # two and a half poll intervals: a paused list must not have moved
    expect(page.locator(f'tr[data-job-id="{hidden.pk}"]')).to_have_count(0)
    toggle.click()
    expect(page.locator(f'tr[data-job-id="{hidden.pk}"]')).to_be_visible(timeout=20_000)
    assert page.evaluate("window.notReloaded") is True
    assert errors == []
    screenshot(page, "console/jobs-live")


def test_the_succeeded_tab_counts_jobs_a_real_worker_finishes_without_a_reload(page, processes):
    errors = console_errors(page)
    processes.scheduler()
    processes.worker("normal")
    page.goto("/dashboard/jobs/")
    page.evaluate("window.notReloaded = true")
    succeeded = page.locator('nav.tabs [data-count="succeeded"]')
    expect(succeeded).to_have_text("0", timeout=30_000)
    for n in range(2):
        schedule_job("tests.add", args=[n, 1])
    expect(succeeded).to_have_text("2", timeout=90_000)
    expect(page.locator('nav.tabs [data-count="all"]')).to_have_text("2")
    assert page.evaluate("window.notReloaded") is True
    assert errors == []
    screenshot(page, "console/jobs-tab-counts")


def test_a_selection_survives_a_live_update(page):
    jobs = make_jobs(2, status="failed")
    page.goto("/dashboard/jobs/")
    page.locator(f'input[value="{jobs[0].pk}"]').check()
    fresh = schedule_job("tests.add", args=[1, 2], delay=3600)
    expect(page.locator(f'tr[data-job-id="{fresh.pk}"]')).to_be_visible(timeout=20_000)
    expect(page.locator(f'input[value="{jobs[0].pk}"]')).to_be_checked()


def test_chart_text_is_large_enough_to_read_with_no_console_errors(page):
    errors = console_errors(page)
    for url in ["/dashboard/", "/dashboard/metrics/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto("/dashboard/")
    expect(page.locator("figure.chart svg")).to_have_count(3)
    texts = page.locator("figure.chart svg text")
    assert texts.count() > 20
    heights = texts.evaluate_all(SHOWN_FONT_SIZES)
    assert min(heights) >= 12, min(heights)
    width = page.locator("figure.chart svg").first.evaluate("svg => svg.getBoundingClientRect().width")
    assert width >= 720
    screenshot(page, "console/overview-charts")
    page.set_viewport_size({"width": 390, "height": 844})
    smallest = min(texts.evaluate_all(SHOWN_FONT_SIZES))
    assert smallest >= 12, smallest
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []


def test_task_metrics_table_and_charts_with_values_on_hover(page):
    from django.utils import timezone

    from jobs.models import TaskStatsHistory
    from jobs.monitoring.counters import BUCKETS

    errors = console_errors(page)
    now = timezone.now().replace(second=0, microsecond=0)
    for minutes_ago in range(0, 60, 5):
        buckets = [0] * len(BUCKETS)
        buckets[BUCKETS.index(1)] = 8
        TaskStatsHistory.objects.create(
            queue="normal", task="tests.add", minute=now - timezone.timedelta(minutes=minutes_ago),
            processed=8, succeeded=7, failed=1, run_buckets=buckets,
        )  # fmt: skip
    page.goto("/dashboard/metrics/")
    row = page.locator('tr[data-task="tests.add"]')
    expect(row).to_contain_text("96")
    expect(row).to_contain_text("12.5 %")
    row.get_by_role("link", name="tests.add").click()
    expect(page.locator("figure.chart svg")).to_have_count(2)
    points = page.locator("figure.chart circle.point")
    expect(points.first).to_be_attached()
    assert "tests.add: run time" in page.content()
    assert "processed at" in points.first.locator("title").text_content()
    assert min(page.locator("figure.chart svg text").evaluate_all(SHOWN_FONT_SIZES)) >= 12
    screenshot(page, "console/task-metrics")
    assert errors == []


def test_dark_mode_follows_the_system_and_the_toggle_overrides_it(browser, live_server, admin_user):
    context = browser.new_context(base_url=live_server.url, color_scheme="dark")
    page = context.new_page()
    page.goto("/admin/login/?next=/dashboard/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**/dashboard/")

    def background() -> str:
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    dark = background()
    assert dark == "rgb(21, 24, 30)"
    toggle = page.locator("[data-theme-toggle]")
    expect(toggle).to_have_text("Theme: system")
    toggle.click()
    expect(toggle).to_have_text("Theme: light")
    assert background() == "rgb(246, 247, 249)"
    page.reload()
    assert background() == "rgb(246, 247, 249)"
    screenshot(page, "console/light-by-toggle")
    page.locator("[data-theme-toggle]").click()
    assert background() == dark
    screenshot(page, "console/dark")
    context.close()

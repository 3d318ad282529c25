"""Every page renders what an operator needs, with a fixed number of queries."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule

from jobs.models import QueueStats, RecurringJob
from jobs.services import schedule_job
from tests.factories import make_job, make_jobs

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/dashboard/jobs/", "/dashboard/jobs/?status=failed&queue=normal"]
)
def test_overview_and_jobs_pages_run_a_fixed_number_of_queries(operator, url):
    make_jobs(10, status="failed", error="RuntimeError: boom")
    few = queries_for(operator, url)
    make_jobs(40, status="failed", error="RuntimeError: boom")
    assert queries_for(operator, url) == few
    assert few <= 12


def test_overview_shows_queue_figures_totals_and_recent_failures(operator):
    QueueStats.objects.create(name="high", waiting=7, running=2, paused=True, runtime_p95_ms=1500)
    make_jobs(1, status="failed", task="reports.generate", error="ValueError: no data for March")
    page = operator.get("/dashboard/").content.decode()
    assert 'data-field="waiting">7<' in page
    assert "paused" in page
    assert "1.500" in page
    assert "ValueError: no data for March" in page
    assert 'data-chart="/dashboard/charts/throughput.svg?range=1h"' in page
    assert page.count('<figure class="chart"') == 3 and "<script" not in page.split("</head>")[1]


def test_overview_feed_carries_the_same_figures(operator):
    QueueStats.objects.create(name="low", waiting=3)
    data = operator.get("/dashboard/feed/").json()
    low = next(q for q in data["queues"] if q["queue"] == "low")
    assert low["waiting"] == 3
    assert data["totals"]["waiting"] == 3


def test_jobs_page_pages_with_a_cursor_and_no_row_twice(operator):
    make_jobs(60)
    first = operator.get("/dashboard/jobs/?size=25")
    ids_first = {str(job.pk) for job in first.context["jobs"]}
    cursor = first.context["next_cursor"]
    second = operator.get("/dashboard/jobs/", {"size": 25, "cursor": cursor})
    ids_second = {str(job.pk) for job in second.context["jobs"]}
    assert len(ids_first) == len(ids_second) == 25
    assert not ids_first & ids_second
    third = operator.get("/dashboard/jobs/", {"size": 25, "cursor": second.context["next_cursor"]})
    assert len(third.context["jobs"]) == 10
    assert third.context["next_cursor"] == ""


def test_jobs_page_filters_by_status_queue_task_and_search(operator):
    make_jobs(3, status="failed", task="tests.fail", error="RuntimeError: nope")
    make_jobs(2, status="succeeded", queue="high")
    assert len(operator.get("/dashboard/jobs/?status=failed").context["jobs"]) == 3
    assert len(operator.get("/dashboard/jobs/?queue=high").context["jobs"]) == 2
    assert len(operator.get("/dashboard/jobs/?task=tests.fail").context["jobs"]) == 3
    assert len(operator.get("/dashboard/jobs/?search=nope").context["jobs"]) == 3


def test_job_detail_shows_timeline_json_error_and_log(operator):
    job = make_jobs(
        1, status="failed", kwargs={"when": "now"}, error="RuntimeError: boom", traceback="Traceback…"
    )[0]
    page = operator.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "RuntimeError: boom" in page and "Traceback…" in page
    assert "&quot;when&quot;: &quot;now&quot;" in page
    assert '<ol class="timeline">' in page and "created" in page
    assert 'id="job-feed" type="application/json"' in page
    assert f'action="/dashboard/jobs/{job.pk}/retry/"' in page
    assert f'action="/dashboard/jobs/{job.pk}/cancel/"' not in page


def test_job_feed_renders_the_live_part_and_the_timeline(operator):
    job = make_job("started", progress=40, progress_message="halfway")
    feed = operator.get(f"/dashboard/jobs/{job.pk}/feed/").json()
    assert feed["progress"] == 40 and feed["progress_message"] == "halfway"
    assert "halfway" in feed["html"] and 'data-action="cancel"' in feed["html"]
    assert 'data-event="started"' in feed["log_html"]


def test_job_rows_feed_renders_the_same_rows_and_the_state_counts(operator):
    QueueStats.objects.create(name="normal", failed=5, waiting=2)
    job = make_jobs(1, status="failed", error="RuntimeError: boom")[0]
    data = operator.get("/dashboard/jobs/rows/", {"status": "failed", "select": "1"}).json()
    assert data["ids"] == [str(job.pk)]
    assert 'name="ids"' in data["html"] and "RuntimeError: boom" in data["html"]
    assert data["counts"] == {
        "queued": 2,
        "started": 0,
        "scheduled": 0,
        "failed": 5,
        "succeeded": 0,
        "cancelled": 0,
        "all": 7,
    }


def test_queues_page_and_queue_drill_down(operator):
    QueueStats.objects.create(name="normal", waiting=4, succeeded_total=9, failed_total=1)
    make_jobs(2, queue="normal", task="imports.transactions")
    page = operator.get("/dashboard/queues/").content.decode()
    assert "10.0 %" in page
    assert 'action="/dashboard/queues/normal/pause/"' in page
    detail = operator.get("/dashboard/queues/normal/").content.decode()
    assert "imports.transactions" in detail


def test_recurring_page_shows_schedule_next_runs_and_last_runs(operator):
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    rj = RecurringJob.objects.create(name="rates", task="tests.add", args=[1, 2], interval=every)
    make_jobs(3, status="succeeded", recurring_job=rj)
    make_jobs(1, status="failed", recurring_job=rj, error="RuntimeError: x")
    response = operator.get("/dashboard/recurring/")
    row = response.context["rows"][0]
    assert len(row["next_runs"]) == 5
    assert [job.status for job in row["runs"]] == ["succeeded"] * 3 + ["failed"]
    page = response.content.decode()
    assert "every 10 minutes" in page.lower()
    assert 'class="mark st-failed"' in page


def test_failed_page_groups_by_task_and_error_type(operator):
    make_jobs(3, status="failed", task="tests.fail", error="RuntimeError: one\nmore")
    make_jobs(2, status="failed", task="tests.fail", error="ValueError: two")
    make_jobs(1, status="failed", task="reports.generate", error="RuntimeError: three")
    groups = {
        (g["task"], g["error_type"]): g["count"] for g in operator.get("/dashboard/failed/").context["groups"]
    }
    assert groups == {
        ("tests.fail", "RuntimeError"): 3,
        ("tests.fail", "ValueError"): 2,
        ("reports.generate", "RuntimeError"): 1,
    }


def test_workers_page_lists_a_registered_worker(operator, redis, transactional_db):
    from jobs.engine.worker import Worker

    worker = Worker(["high"], connection=redis, name="w-dashboard")
    worker.register_birth()
    try:
        page = operator.get("/dashboard/workers/").content.decode()
    finally:
        worker.register_death()
    assert "w-dashboard" in page and "high" in page


def test_chart_is_an_svg_without_scripts(operator):
    schedule_job("tests.add", args=[1, 2])
    response = operator.get("/dashboard/charts/throughput.svg?range=24h")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"<script" not in response.content


def test_charts_plot_throughput_and_run_time_percentiles_from_history(operator):
    from django.utils import timezone

    from jobs.models import QueueStatsHistory, TaskStatsHistory
    from jobs.monitoring.counters import BUCKETS

    minute = timezone.now().replace(second=0, microsecond=0)
    QueueStatsHistory.objects.create(queue="normal", minute=minute, processed=42, succeeded=40, failed=2)
    buckets = [0] * len(BUCKETS)
    buckets[BUCKETS.index(1)] = 10
    TaskStatsHistory.objects.create(
        queue="normal", task="tests.add", minute=minute, processed=10, run_buckets=buckets
    )
    throughput = operator.get("/dashboard/charts/throughput.svg?range=1h").content.decode()
    assert "normal processed" in throughput and "normal processed at" in throughput and ": 42<" in throughput
    runtime = operator.get("/dashboard/charts/runtime.svg?range=1h").content.decode()
    assert "normal p95" in runtime and "<script" not in runtime
    assert ": 0.97<" in runtime or ": 0.975<" in runtime


def test_filtered_job_list_keeps_no_distinct_so_indexes_serve_it(operator):
    make_jobs(3, status="failed")
    with CaptureQueriesContext(connection) as captured:
        operator.get("/dashboard/jobs/?status=failed&status=queued&queue=normal")
    listing = [q["sql"] for q in captured.captured_queries if 'FROM "jobs_job"' in q["sql"]]
    assert listing and not any("DISTINCT" in sql for sql in listing)


@pytest.mark.parametrize("created", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_forged_jobs_page_cursor_shows_the_first_page_with_a_warning(operator, created):
    """A cursor naming a time no database can hold used to be a 500 (OverflowError)."""
    make_jobs(3)
    token = base64.urlsafe_b64encode(f"{created}|{uuid.UUID(int=0)}".encode()).decode()
    response = operator.get("/dashboard/jobs/", {"cursor": token})
    assert response.status_code == 200 and len(response.context["jobs"]) == 3
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_filter_no_database_can_convert_is_ignored_with_a_warning(operator, at):
    make_jobs(2)
    response = operator.get("/dashboard/jobs/", {"created_after": at})
    assert response.status_code == 200 and len(response.context["jobs"]) == 2
    assert "Ignored invalid filter values: created_after" in response.content.decode()

"""The console's job list, job page, timeline and operator actions (issue 18)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jobs.models import Job, JobLog, QueueStats
from jobs.services import schedule_job
from tests.factories import make_job, make_jobs, user_with


def test_search_finds_jobs_by_arguments_kwargs_and_tags(operator):
    by_args = make_job("succeeded", args=["acme-invoice-7", 3])
    by_kwargs = make_job("succeeded", kwargs={"customer": "zebra-corp"})
    by_tag = make_job("succeeded", tags=["nightly-import"])
    make_job("succeeded", args=[1, 2])
    for text, job in [("acme-invoice", by_args), ("zebra-corp", by_kwargs), ("nightly-import", by_tag)]:
        shown = [row.pk for row in operator.get("/dashboard/jobs/", {"search": text}).context["jobs"]]
        assert shown == [job.pk], text


def test_state_tabs_count_from_queue_stats_and_keep_other_filters(operator):
    QueueStats.objects.create(
        name="normal", waiting=4, running=1, scheduled=3, failed=9, succeeded=120, cancelled=6
    )
    QueueStats.objects.create(name="high", failed=2, succeeded=1000)
    page = operator.get("/dashboard/jobs/", {"queue": "normal", "status": "failed"})
    tabs = {tab["label"]: tab for tab in page.context["tabs"]}
    assert tabs["Failed"]["count"] == 9 and tabs["Failed"]["current"]
    assert tabs["Queued"]["count"] == 4 and tabs["Scheduled"]["count"] == 3
    assert tabs["Succeeded"]["count"] == 120 and tabs["Cancelled"]["count"] == 6
    assert tabs["All"]["count"] == 4 + 1 + 3 + 9 + 120 + 6
    assert "queue=normal" in tabs["Running"]["query"] and "status=started" in tabs["Running"]["query"]
    html = page.content.decode()
    assert 'data-count="failed">9<' in html and "<select multiple" not in html
    assert 'data-count="succeeded">120<' in html and 'data-count="cancelled">6<' in html


@pytest.mark.django_db(transaction=True)
def test_the_succeeded_and_cancelled_tabs_count_what_really_happened(operator, burst_worker, redis):
    from jobs.monitoring import counters
    from jobs.services import cancel_job, delete_job

    done = [schedule_job("tests.add", args=[n, 1]) for n in range(3)]
    burst_worker("normal")
    cancel_job(schedule_job("tests.add", args=[0, 0]).pk)
    delete_job(done[0].pk)
    counters.flush()
    html = operator.get("/dashboard/jobs/").content.decode()
    assert 'data-count="succeeded">2<' in html and 'data-count="cancelled">1<' in html
    feed = operator.get("/dashboard/jobs/rows/", {"queue": "normal"}).json()
    assert (feed["counts"]["succeeded"], feed["counts"]["cancelled"], feed["counts"]["all"]) == (2, 1, 3)


def test_state_tabs_never_count_the_job_table(operator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_jobs(5, status="failed")
    with CaptureQueriesContext(connection) as captured:
        operator.get("/dashboard/jobs/rows/")
    assert not any("COUNT(" in q["sql"].upper() and "jobs_job" in q["sql"] for q in captured.captured_queries)


def test_list_shows_duration_finished_time_and_error_columns(operator):
    now = timezone.now()
    make_job(
        "failed",
        started_at=now - timezone.timedelta(seconds=12.5),
        finished_at=now,
        error="ValueError: bad row",
    )
    html = operator.get("/dashboard/jobs/").content.decode()
    assert '<th scope="col">Duration</th>' in html and "12.5 s" in html
    assert "ValueError: bad row" in html and '<th scope="col">Finished</th>' in html


def test_no_progress_bar_for_jobs_that_never_reported_progress(operator):
    make_job("succeeded")
    reported = make_job("started", progress=30, progress_message="30 of 100 rows")
    html = operator.get("/dashboard/jobs/").content.decode()
    assert html.count("<progress") == 1
    assert f'value="{reported.progress}"' in html


def test_recent_failures_are_newest_first(operator):
    now = timezone.now()
    old = make_job("failed", task="tests.old", finished_at=now - timezone.timedelta(hours=2))
    new = make_job("failed", task="tests.new", finished_at=now)
    old.created_at = now  # created last, failed first: the failure time decides
    old.save()
    failures = operator.get("/dashboard/").context["failures"]
    assert [job.pk for job in failures] == [new.pk, old.pk]


def test_timeline_shows_lifecycle_with_who_and_filters_by_kind(operator):
    job = make_job("started", worker_name="w-1")
    JobLog.objects.create(job=job, event="log", message="a line the task wrote")
    user = user_with("view_job", "cancel_job", username="alice")
    from jobs.services import cancel_job

    cancel_job(job.pk, user=user, via="dashboard")
    everything = operator.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "alice via dashboard" in everything and "a line the task wrote" in everything
    assert 'data-event="started"' in everything and "started on w-1" in everything
    lifecycle = operator.get(f"/dashboard/jobs/{job.pk}/", {"kind": "lifecycle"}).content.decode()
    assert "a line the task wrote" not in lifecycle and "alice via dashboard" in lifecycle
    task_only = operator.get(f"/dashboard/jobs/{job.pk}/", {"kind": "task"}).content.decode()
    assert "a line the task wrote" in task_only and 'data-event="cancelled"' not in task_only
    assert operator.get(f"/dashboard/jobs/{job.pk}/", {"kind": "<bogus>"}).status_code == 200


def test_finished_job_page_shows_result_and_no_cancel(operator):
    job = make_job("succeeded", result={"rows": 12})
    html = operator.get(f"/dashboard/jobs/{job.pk}/feed/").json()["html"]
    assert "&quot;rows&quot;: 12" in html and 'data-action="cancel"' not in html
    assert 'data-action="rerun"' in html


@pytest.mark.parametrize("url", ["/dashboard/metrics/", "/dashboard/metrics/?range=7d&task=tests.add"])
def test_metrics_page_lists_tasks_with_rates_and_percentiles(operator, url):
    from jobs.models import TaskStatsHistory
    from jobs.monitoring.counters import BUCKETS

    buckets = [0] * len(BUCKETS)
    buckets[BUCKETS.index(1)] = 10
    minute = timezone.now().replace(second=0, microsecond=0)
    TaskStatsHistory.objects.create(
        queue="normal",
        task="tests.add",
        minute=minute,
        processed=10,
        succeeded=8,
        failed=2,
        run_buckets=buckets,
    )
    page = operator.get(url)
    row = page.context["rows"][0]
    assert (row["task"], row["processed"], row["failed"]) == ("tests.add", 10, 2)
    assert row["failure_rate"] == pytest.approx(0.2) and row["p50"] is not None
    if "task=" in url:
        assert page.content.decode().count('data-chart="/dashboard/charts/') == 2
        chart = operator.get("/dashboard/charts/runtime.svg", {"range": "7d", "task": "tests.add"})
        assert "tests.add: run time" in chart.content.decode()


def test_chart_svg_is_legible_colour_blind_safe_and_has_values_on_hover(operator):
    from dashboard.svg import OKABE_ITO

    svg = operator.get("/dashboard/charts/throughput.svg?range=24h").content.decode()
    assert 'font-size="16"' in svg and "jobs per minute" in svg and "time (UTC)" in svg
    assert all(colour in OKABE_ITO for colour in __import__("re").findall(r'stroke="(#[0-9A-F]{6})"', svg))
    assert "<title>" in svg and "stroke-dasharray" in svg and "<script" not in svg


def test_run_a_scheduled_job_now(operator):
    job = schedule_job("tests.add", args=[1, 2], delay=3600)
    assert job.status == "scheduled"
    response = operator.post(f"/dashboard/jobs/{job.pk}/run-now/", follow=True)
    job.refresh_from_db()
    assert job.status == "queued" and job.run_at is None
    assert "Sent to its queue now" in response.content.decode()
    assert JobLog.objects.filter(
        job=job, event="manual", interface="dashboard", user__username="operator"
    ).exists()
    again = operator.post(f"/dashboard/jobs/{job.pk}/run-now/", follow=True).content.decode()
    assert "only a scheduled job can be run now" in again


def test_run_now_needs_the_schedule_permission(viewer):
    job = make_job("scheduled")
    assert viewer.post(f"/dashboard/jobs/{job.pk}/run-now/").status_code == 403
    assert Job.objects.get(pk=job.pk).status == "scheduled"


def test_purge_confirms_then_deletes_only_finished_jobs_of_the_filter(deleter):
    failed = make_jobs(3, status="failed", task="tests.fail")
    waiting = make_job("queued", task="tests.fail")
    other = make_job("failed", task="tests.add")
    ask = deleter.post("/dashboard/jobs/purge/", {"task": "tests.fail"})
    assert ask.status_code == 200 and ask.context["count"] == 3
    assert Job.objects.filter(task="tests.fail").count() == 4
    deleter.post("/dashboard/jobs/purge/", {"task": "tests.fail", "confirmed": "yes"})
    assert not Job.objects.filter(pk__in=[job.pk for job in failed]).exists()
    assert Job.objects.filter(pk__in=[waiting.pk, other.pk]).count() == 2
    assert not JobLog.objects.filter(job_id__in=[job.pk for job in failed]).exists()


def test_purge_needs_the_delete_permission(operator):
    make_jobs(2, status="failed")
    assert operator.post("/dashboard/jobs/purge/", {"confirmed": "yes"}).status_code == 403
    assert Job.objects.count() == 2


def test_empty_a_queue_cancels_its_waiting_jobs_after_confirmation(operator):
    waiting = [schedule_job("tests.add", args=[i, i], queue="low") for i in range(3)]
    elsewhere = schedule_job("tests.add", args=[1, 1], queue="normal")
    ask = operator.post("/dashboard/queues/low/empty/")
    assert ask.status_code == 200 and "Empty queue low?" in ask.content.decode()
    assert Job.objects.filter(queue="low", status="queued").count() == 3
    operator.post("/dashboard/queues/low/empty/", {"confirmed": "yes"})
    assert set(Job.objects.filter(pk__in=[j.pk for j in waiting]).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert Job.objects.get(pk=elsewhere.pk).status == "queued"
    assert JobLog.objects.filter(job=waiting[0], event="cancelled", user__username="operator").exists()


@pytest.mark.django_db(transaction=True)
def test_emptying_a_queue_takes_the_copies_out_of_redis(operator):
    from jobs.engine import broker

    jobs = [schedule_job("tests.add", args=[i, i], queue="low") for i in range(3)]
    assert broker.queue("low").count == 3
    operator.post("/dashboard/queues/low/empty/", {"confirmed": "yes"})
    assert broker.queue("low").count == 0
    assert all(broker.rq_status(str(job.pk)) is None for job in jobs)


def test_empty_queue_needs_the_cancel_permission_and_a_known_queue(viewer, operator):
    schedule_job("tests.add", args=[1, 1], queue="low")
    assert viewer.post("/dashboard/queues/low/empty/", {"confirmed": "yes"}).status_code == 403
    assert operator.post("/dashboard/queues/nope/empty/", {"confirmed": "yes"}).status_code == 404
    assert Job.objects.get().status == "queued"


@pytest.mark.parametrize(
    "query",
    ["status=exploded", "queue=nope", "created_after=yesterday", "cursor=%%%garbage", "size=-5", "kind=<x>"],
)
def test_live_feeds_never_500_and_never_queue_messages_on_bad_input(operator, query):
    job = make_job("started")
    for url in ["/dashboard/jobs/rows/", f"/dashboard/jobs/{job.pk}/feed/", "/dashboard/metrics/"]:
        assert operator.get(f"{url}?{query}").status_code == 200, url
    page = operator.get("/dashboard/queues/normal/").content.decode()
    assert "Ignored invalid filter values" not in page and "not valid" not in page


def test_job_rows_feed_pages_like_the_list(operator):
    make_jobs(30)
    first = operator.get("/dashboard/jobs/?size=25")
    cursor = first.context["next_cursor"]
    feed = operator.get("/dashboard/jobs/rows/", {"size": 25, "cursor": cursor}).json()
    page = operator.get("/dashboard/jobs/", {"size": 25, "cursor": cursor})
    assert feed["ids"] == [str(job.pk) for job in page.context["jobs"]] and len(feed["ids"]) == 5

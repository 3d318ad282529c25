"""Per-task counting and the figures every surface reads, against a real worker and Redis."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.exceptions import InvalidMetricsQuery
from jobs.models import TaskStats, TaskStatsHistory
from jobs.monitoring import counters, figures
from jobs.monitoring.figures import history, percentile, queue_metrics, task_metrics
from jobs.services import schedule_job


def fold(now=None):
    now = now or timezone.now()
    counters.flush(now=now)
    return now


def test_each_finished_attempt_is_counted_per_task(burst_worker, run_scheduler):
    for n in range(3):
        schedule_job("tests.add", args=[n, 1])
    schedule_job("tests.fail", args=["no"])
    schedule_job("tests.flaky", args=[1])
    burst_worker()
    run_scheduler()
    burst_worker()
    now = fold()
    rows = {row.task: row for row in TaskStats.objects.all()}
    assert (rows["tests.add"].processed, rows["tests.add"].succeeded) == (3, 3)
    assert (rows["tests.fail"].failed, rows["tests.fail"].processed) == (1, 1)
    assert (rows["tests.flaky"].retried, rows["tests.flaky"].succeeded) == (1, 1)
    assert sum(rows["tests.add"].run_buckets) == 3
    assert rows["tests.add"].waited == 3 and sum(rows["tests.add"].wait_buckets) == 3
    point = TaskStatsHistory.objects.get(task="tests.add", minute=now.replace(second=0, microsecond=0))
    assert point.processed == 3

    with CaptureQueriesContext(connection) as queries:
        by_task = {row["task"]: row for row in task_metrics(now)}
    assert len(queries) == 2, "task rows and the last hour's history, whatever the Job table holds"
    assert by_task["tests.add"]["success_rate"] == 1.0
    assert by_task["tests.fail"]["success_rate"] == 0.0
    assert by_task["tests.add"]["throughput_per_minute"] == pytest.approx(3 / figures.THROUGHPUT_MINUTES)
    assert by_task["tests.add"]["runtime_p95"] is not None
    assert by_task["tests.add"]["wait_p50"] is not None
    assert by_task["tests.add"]["queues"] == ["normal"]


def test_queue_metrics_read_rows_not_jobs(burst_worker, django_assert_max_num_queries):
    schedule_job("tests.add", args=[1, 1])
    schedule_job("tests.fail", args=["x"])
    burst_worker()
    now = fold()
    with django_assert_max_num_queries(3):
        by_queue = {row["queue"]: row for row in queue_metrics(now)}
    normal = by_queue["normal"]
    assert (normal["processed"], normal["succeeded"], normal["failed_total"]) == (2, 1, 1)
    assert normal["success_rate"] == 0.5
    assert normal["depth"] == 0 and normal["paused"] is False
    assert normal["wait_p50"] is not None and normal["runtime_p50"] is not None
    assert normal["throughput_per_minute"] == pytest.approx(2 / figures.THROUGHPUT_MINUTES)
    assert list(by_queue) == ["high", "normal", "low"]


def test_metrics_switched_off_count_nothing_per_task(burst_worker, settings):
    settings.JOBS = {**settings.JOBS, "METRICS_ENABLED": False}
    schedule_job("tests.add", args=[1, 1])
    burst_worker()
    fold()
    assert not TaskStats.objects.exists()


def test_history_rolls_up_and_old_rows_are_pruned(burst_worker):
    schedule_job("tests.add", args=[1, 1])
    burst_worker()
    old = timezone.now() - timedelta(days=8)
    fold(old)
    schedule_job("tests.add", args=[2, 2])
    burst_worker()
    now = fold()
    week = history(since=now - timedelta(days=9), until=now, step="hour")
    assert [point["processed"] for point in week] == [1, 1]
    assert len(history(queue="normal", since=now - timedelta(hours=1), until=now)) == 1
    assert (
        history(task="tests.add", since=now - timedelta(days=9), until=now, step="auto")[0]["processed"] == 1
    )
    assert counters.prune(now) >= 2
    assert [p["processed"] for p in history(since=now - timedelta(days=9), until=now, step="day")] == [1]


@pytest.mark.parametrize(("step", "since_hours"), [("second", 1), ("minute", 24 * 7), ("minute", -1)])
def test_bad_history_queries_are_refused(step, since_hours):
    now = timezone.now()
    with pytest.raises(InvalidMetricsQuery):
        history(since=now - timedelta(hours=since_hours), until=now, step=step)


def test_percentiles_interpolate_within_buckets():
    buckets = [0] * len(counters.BUCKETS)
    buckets[counters.bucket_index(0.3)] = 10
    assert 0.25 < percentile(buckets, 0.5) <= 0.5
    assert percentile([], 0.5) is None
    buckets[-1] = 10
    assert percentile(buckets, 0.99) == 3600

"""Dashboard pages at a million jobs: server time (p50/p95) and SQL queries per page.

Creates its own PostgreSQL database (``jobdesk_bench_dashboard_pages``, dropped after),
fills it with ``--jobs`` Job rows in one ``INSERT … SELECT generate_series`` (a realistic
mix of statuses, queues and tasks over the last weeks) plus seven days of per-minute
queue history, runs ANALYZE, then requests each page ``--rounds`` times with Django's
test client as a superuser and reports p50/p95 server time and the query count.
Target: overview and jobs pages (their per-state tabs included, counted from
``QueueStats``) p95 < 200 ms with a fixed number of queries. The job list is measured
on every state tab and every filter it offers; ``--explain`` prints the plan
(``EXPLAIN ANALYZE``) of each page's slowest query.

    .venv/bin/python bench/dashboard_pages.py                       # 1,000,000 jobs
    .venv/bin/python bench/dashboard_pages.py --jobs 100000 --rounds 20 --explain
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from common import environment

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
TASKS = "ARRAY['demo.add','demo.sleep','reports.generate','imports.transactions','notifications.send']"
QUEUES = "ARRAY['high','normal','low']"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30, help="requests per page")
    parser.add_argument("--database-url", default=SERVER, help="PostgreSQL server to create the database on")
    parser.add_argument("--explain", action="store_true", help="print each page's slowest query's plan")
    return parser.parse_args()


def fill(count: int) -> None:
    """Jobs one second apart, newest now: mostly succeeded, 5 % failed, some waiting or running;
    a tenth high priority and tagged ``nightly``, one in a thousand with a correlation id.

    The statement takes a parameter, so its SQL modulo operators are written ``%%``.
    """
    from django.db import connection

    status = (
        "CASE WHEN i %% 20 = 0 THEN 'failed' WHEN i %% 20 = 1 THEN 'queued' WHEN i %% 50 = 2 THEN 'scheduled'"
        " WHEN i %% 100 = 3 THEN 'cancelled' WHEN i < 20 THEN 'started' ELSE 'succeeded' END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO jobs_job (id, task, args, kwargs, queue, priority, status, attempts, max_attempts,
                created_at, enqueued_at, started_at, finished_at, progress, progress_message, result, error,
                traceback, worker_name, tags, correlation_id, source)
            SELECT md5(i::text)::uuid, ({TASKS})[1 + i %% 5], '[1, 2]', '{{}}', ({QUEUES})[1 + i %% 3],
                CASE WHEN i %% 10 = 4 THEN 'high' ELSE 'normal' END, {status}, 1, 1,
                now() - i * interval '1 second', now() - i * interval '1 second',
                now() - i * interval '1 second', now() - i * interval '1 second' + interval '200 ms', 100, '',
                '3', CASE WHEN i %% 20 = 0 THEN 'RuntimeError: import ' || (i %% 7) || ' failed' ELSE '' END,
                '', 'worker-1', CASE WHEN i %% 10 = 8 THEN '["nightly"]' ELSE '[]' END::jsonb,
                CASE WHEN i %% 1000 = 9 THEN 'order-' || (i %% 7) ELSE '' END, 'code'
            FROM generate_series(1, %s) AS i
            """,
            [count],
        )
        cursor.execute(
            f"""
            INSERT INTO jobs_queuestatshistory (queue, minute, processed, succeeded, failed, retried,
                runtime_total_ms, waiting)
            SELECT q, date_trunc('minute', now()) - m * interval '1 minute', 60, 57, 3, 0, 12000, m % 40
            FROM generate_series(0, 7 * 24 * 60) AS m, unnest({QUEUES}) AS q
            """
        )
        cursor.execute("ANALYZE")


def refresh_queue_stats() -> None:
    """What the housekeeper keeps: live figures, and the state counts (recounted once, as
    migration 0011 and ``jobs_reconcile`` do)."""
    from jobs.monitoring import counters

    counters.recount_states()


def measure(client, url: str, rounds: int) -> tuple[float, float, list[dict]]:
    """p50 and p95 server time (ms) of ``url``, and the queries of its last request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries: list[dict] = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = captured.captured_queries
    cuts = statistics.quantiles(timings, n=20, method="inclusive")
    return statistics.median(timings), cuts[18], queries


def explain(queries: list[dict]) -> str:
    """The plan of the slowest of ``queries``, run again under EXPLAIN ANALYZE."""
    from django.db import connection

    slowest = max(queries, key=lambda query: float(query["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest.replace("%", "%%"))
        plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
    return f"  slowest query: {slowest[:300]}\n{plan}"


def pages(second_page: str, any_id: str) -> dict[str, str]:
    """Every page measured: the overview, the job list on each state tab and each filter, the rest."""
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    lists = {
        "jobs (newest)": "",
        "jobs page 2 (cursor)": f"cursor={second_page}",
        **{f"jobs tab {label}": query for label, query in TABS.items()},
        "jobs queue=high": "queue=high",
        "jobs queue=high&status=succeeded": "queue=high&status=succeeded",
        "jobs queue=low&status=failed": "queue=low&status=failed",
        "jobs priority=high": "priority=high",
        "jobs task=reports.generate": "task=reports.generate",
        "jobs task=…&status=failed": "task=reports.generate&status=failed",
        "jobs correlation_id=order-3": "correlation_id=order-3",
        "jobs tag=nightly": "tag=nightly",
        "jobs created_after=1 h ago": f"created_after={quote(hour_ago)}",
        "jobs created_before=7 d ago": f"created_before={quote(week_ago)}",
        "jobs finished_after=1 h ago": f"finished_after={quote(hour_ago)}",
        "jobs finished_before=7 d ago": f"finished_before={quote(week_ago)}",
        "jobs search=<job id>": f"search={any_id}",
        "jobs search=import (text)": "search=import",
        "jobs search=zzz (text, no match)": "search=zzz",
    }
    return {
        "overview": "/dashboard/",
        **{name: f"/dashboard/jobs/?{query}" for name, query in lists.items()},
        "overview feed (JSON)": "/dashboard/feed/",
        "jobs live rows feed (newest)": "/dashboard/jobs/rows/?select=1",
        "jobs live rows feed status=failed": "/dashboard/jobs/rows/?status=failed&select=1",
        "job page": f"/dashboard/jobs/{any_id}/",
        "job page live feed": f"/dashboard/jobs/{any_id}/feed/",
        "task metrics 24h": "/dashboard/metrics/?range=24h",
        "queues": "/dashboard/queues/",
        "failed groups": "/dashboard/failed/",
        "chart throughput 1h": "/dashboard/charts/throughput.svg?range=1h",
        "chart throughput 7d": "/dashboard/charts/throughput.svg?range=7d",
    }


TABS = {
    "scheduled": "status=scheduled&status=deferred",
    "queued": "status=queued",
    "running": "status=started",
    "failed": "status=failed",
    "succeeded": "status=succeeded",
    "cancelled": "status=cancelled",
}
"""The job list's state tabs (dashboard.listing.TABS) as the links they are."""


def main() -> None:
    args = parse_args()
    os.environ["DEBUG"] = "0"
    with environment("dashboard_pages", args.database_url):
        from django.contrib.auth.models import User
        from django.test import Client

        started = time.perf_counter()
        fill(args.jobs)
        refresh_queue_stats()
        print(f"filled {args.jobs:,} jobs in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(User.objects.create_superuser("bench", password="bench"))
        print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
        print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for name, url in pages(_second_page_cursor(), _any_id()).items():
            p50, p95, queries = measure(client, url, args.rounds)
            print(f"{name:40} {p50:8.1f} {p95:8.1f} {len(queries):8d}", flush=True)
            if args.explain and queries:
                print(explain(queries))
        print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


def _second_page_cursor() -> str:
    from dashboard import queries
    from jobs.models import Job

    return queries.job_page(Job.objects.all(), None, 50)[1].encode()


def _any_id() -> str:
    from jobs.models import Job

    return str(Job.objects.order_by("-created_at").values_list("id", flat=True)[500])


if __name__ == "__main__":
    main()

"""Admin page latency at scale: the job list, a job's detail page and the queues page.

Creates a dedicated PostgreSQL database (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/jobdesk_bench_admin``), migrates it, fills
``--jobs`` jobs and ``--logs`` JobLog rows with ``INSERT … SELECT generate_series`` (one
of the jobs gets exactly ``--detail-lines`` log lines), then times each page with
Django's test client as a logged-in superuser: ``--requests`` requests after two
warm-up ones, reporting p50 / p95 in milliseconds and the number of SQL queries one
request makes. Target: p95 under 300 ms. The database is dropped at the end unless
``--keep`` is given.

    .venv/bin/python bench/admin_pages.py                                  # 1M jobs, 5M log rows
    .venv/bin/python bench/admin_pages.py --jobs 200000 --logs 1000000     # a quicker run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jobdesk_bench_admin"
DETAIL_JOB = "00000000-0000-0000-0000-00000000d00d"

FILL_JOBS = """
INSERT INTO jobs_job (id, task, args, kwargs, queue, priority, status, attempts, max_attempts,
    created_at, enqueued_at, started_at, finished_at, progress, progress_message, result, error,
    traceback, worker_name, tags, correlation_id, source)
SELECT md5(i::text)::uuid,
    (ARRAY['demo.add', 'demo.sleep', 'demo.fail', 'demo.noop'])[1 + i %% 4],
    '[1, 2]'::jsonb, '{}'::jsonb,
    (ARRAY['high', 'normal', 'low'])[1 + i %% 3], 'normal',
    (ARRAY['succeeded', 'failed', 'succeeded', 'queued', 'succeeded', 'cancelled', 'scheduled'])[1 + i %% 7],
    1, 1,
    now() - make_interval(secs => i * 3),
    now() - make_interval(secs => i * 3),
    now() - make_interval(secs => i * 3 - 1),
    now() - make_interval(secs => i * 3 - 2),
    100, '', '3'::jsonb,
    CASE WHEN i %% 7 = 1 THEN 'RuntimeError: boom ' || i ELSE '' END,
    '', 'bench-worker', '[]'::jsonb, '', 'bench'
FROM generate_series(1, %(jobs)s) AS i
"""

FILL_LOGS = """
INSERT INTO jobs_joblog (job_id, created_at, level, event, message, attempt, interface)
SELECT md5((1 + i %% %(jobs)s)::text)::uuid, now() - make_interval(secs => i), 20, 'log',
    'line ' || i, 1, ''
FROM generate_series(1, %(logs)s) AS i
"""

DETAIL = """
INSERT INTO jobs_job (id, task, args, kwargs, queue, priority, status, attempts, max_attempts,
    created_at, progress, progress_message, error, traceback, worker_name, tags, correlation_id, source)
VALUES (%(id)s, 'demo.fail', '["<script>alert(1)</script>"]', '{}', 'normal', 'normal', 'failed', 1, 1,
    now(), 0, '', 'RuntimeError: boom', 'Traceback ...', '', '[]', '', 'bench');
INSERT INTO jobs_joblog (job_id, created_at, level, event, message, attempt, interface)
SELECT %(id)s, now() - make_interval(secs => i), (ARRAY[10, 20, 30, 40])[1 + i %% 4], 'log',
    'line ' || i, 1, ''
FROM generate_series(1, %(lines)s) AS i;
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--logs", type=int, default=5_000_000)
    parser.add_argument("--detail-lines", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def admin_database(url: str, action: str) -> None:
    """CREATE or DROP the benchmark database, from the server's maintenance database."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.startswith("jobdesk_bench"):
        sys.exit(f"refusing to {action} {name!r}: use a database named jobdesk_bench_*")
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(args: argparse.Namespace) -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL_JOBS, {"jobs": args.jobs})
        cursor.execute(FILL_LOGS, {"jobs": args.jobs, "logs": args.logs})
        cursor.execute(DETAIL, {"id": DETAIL_JOB, "lines": args.detail_lines})
        cursor.execute("ANALYZE jobs_job; ANALYZE jobs_joblog;")
    rows = args.logs + args.detail_lines
    print(f"filled {args.jobs:,} jobs and {rows:,} log rows in {time.perf_counter() - started:.0f} s")


def measure(client, url: str, requests: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), statistics.quantiles(times, n=20)[18], len(queries)


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    admin_database(args.database_url, "create")
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_database(args.database_url, "drop")


def run(args: argparse.Namespace) -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    fill(args)
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="bench"))
    changelist = reverse("admin:jobs_job_changelist")
    pages = {
        "job list": changelist,
        "job list, status+queue filter": f"{changelist}?status__exact=failed&queue=normal",
        "job list, page 100": f"{changelist}?p=100",
        "job list, search by id": f"{changelist}?q={DETAIL_JOB}",
        "job list, created in a year": f"{changelist}?created={time.gmtime().tm_year}",
        "job list, text search in errors": f"{changelist}?q=boom+99999",
        f"job detail, {args.detail_lines} log lines": reverse("admin:jobs_job_change", args=[DETAIL_JOB]),
        "queues": reverse("admin:jobs_queuestats_changelist"),
    }
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        p50, p95, queries = measure(client, url, args.requests)
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()

"""API read latency with a million jobs in PostgreSQL: p95 must stay under 100 ms.

    .venv/bin/python bench/api_latency.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Creates the database ``jobdesk_bench_api_latency`` (dropped afterwards), fills it with
``--jobs`` rows in one ``INSERT … SELECT generate_series`` (mixed statuses and queues, a
few log lines per job for the newest ones), then times, through Django's full request
stack in this process (no network): ``GET /api/jobs/?status=failed&queue=high``,
GraphQL ``jobs(first: 50)`` with logs and recurring job, and ``GET /api/metrics/``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_database_argument, environment

TARGET_P95_MS = 100.0
GRAPHQL_JOBS = (
    "{ jobs(first: 50) { edges { node { id task status queue createdAt finishedAt "
    "logs { event message } recurringJob { name } } } pageInfo { hasNextPage endCursor } } }"
)
FILL = """
INSERT INTO jobs_job (id, task, args, kwargs, queue, priority, status, attempts, max_attempts,
    created_at, enqueued_at, started_at, finished_at, progress, progress_message, error, traceback,
    worker_name, tags, correlation_id, source)
SELECT gen_random_uuid(), (ARRAY['demo.add','demo.sleep','demo.fail','demo.flaky'])[1 + i %% 4],
    '[1, 2]', '{}', (ARRAY['high','normal','low'])[1 + i %% 3], 'normal',
    (ARRAY['succeeded','succeeded','succeeded','failed','queued','cancelled','scheduled'])[1 + i %% 7],
    1, 3, now() - make_interval(secs => i), now() - make_interval(secs => i),
    now() - make_interval(secs => i), now() - make_interval(secs => i - 1), 100, '',
    CASE WHEN i %% 7 = 3 THEN 'boom' ELSE '' END, '', 'bench', '[]', '', 'bench'
FROM generate_series(1, %s) AS i
"""
LOGS = """
INSERT INTO jobs_joblog (job_id, created_at, level, event, message, interface)
SELECT id, created_at, 20, 'created', 'Scheduled by bench.', 'rest'
FROM (SELECT id, created_at FROM jobs_job ORDER BY created_at DESC LIMIT %s) AS newest
"""


def fill(count: int) -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(FILL, [count])
        cursor.execute(LOGS, [20_000])
        cursor.execute("ANALYZE jobs_job; ANALYZE jobs_joblog")
    from jobs import conf
    from jobs.models import QueueStats

    for name in conf.get().QUEUES:
        QueueStats.objects.get_or_create(name=name)
    print(f"filled {count:,} jobs in {time.monotonic() - started:.1f} s")


def measure(name: str, request: Callable[[], object], rounds: int) -> float:
    for _ in range(10):
        request()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{name:<45} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
        f"p99 {timings[int(len(timings) * 0.99) - 1]:6.1f} ms  max {timings[-1]:6.1f} ms"
    )
    return p95


def client() -> object:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_superuser("bench", password="bench")
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def checked(response: object) -> object:
    assert response.status_code == 200, response.content[:500]
    return response


def run(args: argparse.Namespace) -> int:
    fill(args.jobs)
    http = client()
    results = {
        "GET /api/jobs/?status=failed&queue=high": measure(
            "GET /api/jobs/?status=failed&queue=high",
            lambda: checked(http.get("/api/jobs/", {"status": "failed", "queue": "high"})),
            args.rounds,
        ),
        "GraphQL jobs(first: 50)": measure(
            "GraphQL jobs(first: 50) + logs + recurringJob",
            lambda: checked(http.post("/graphql/", {"query": GRAPHQL_JOBS}, content_type="application/json")),
            args.rounds,
        ),
        "GET /api/metrics/": measure(
            "GET /api/metrics/", lambda: checked(http.get("/api/metrics/")), args.rounds
        ),
    }
    slow = [name for name, p95 in results.items() if p95 >= TARGET_P95_MS]
    print("PASS: every p95 under 100 ms" if not slow else f"FAIL: p95 over 100 ms for {', '.join(slow)}")
    return 1 if slow else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a PostgreSQL server URL (generate_series, gen_random_uuid)")
    with environment("api_latency", args.database_url):
        return run(args)


if __name__ == "__main__":
    sys.exit(main())

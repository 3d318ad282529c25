"""Bulk scheduling: 10,000 jobs through ``schedule_jobs`` vs RQ's ``enqueue_many``.

Both sides produce 10,000 jobs waiting in the same queue of the same Redis; Jobdesk
also writes the 10,000 rows. Alternating rounds; rates are jobs per second.

    .venv/bin/python bench/bulk_schedule.py [--jobs 10000] [--rounds 7] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: at least 60 % of raw RQ's rate.
"""

from __future__ import annotations

import statistics
import time

from common import environment, parse_options


def app_round(jobs: int) -> float:
    from jobs.services import schedule_jobs

    began = time.perf_counter()
    schedule_jobs({"task": "demo.noop"} for _ in range(jobs))
    return jobs / (time.perf_counter() - began)


def raw_round(jobs: int) -> float:
    from rq import Queue

    from jobs.engine import broker

    queue = broker.queue("normal")
    began = time.perf_counter()
    with queue.connection.pipeline() as pipe:
        queue.enqueue_many([Queue.prepare_data("bench.common.noop") for _ in range(jobs)], pipeline=pipe)
        pipe.execute()
    return jobs / (time.perf_counter() - began)


def main() -> None:
    options = parse_options(__doc__, ("--jobs", 10_000), ("--rounds", 7))
    with environment("bulk", options.database_url):
        from django.db import connection

        from jobs.engine import broker

        app: list[float] = []
        raw: list[float] = []
        for index in range(options.rounds):
            raw.append(raw_round(options.jobs))
            app.append(app_round(options.jobs))
            broker.connection().flushdb()
            print(f"round {index + 1}: enqueue_many {raw[-1]:8.0f}/s   schedule_jobs {app[-1]:8.0f}/s")
        ratio = statistics.median(app) / statistics.median(raw)
        print(f"database: {connection.vendor}; {options.jobs} jobs per round")
        print(f"RQ enqueue_many median      {statistics.median(raw):8.0f} jobs/s")
        print(f"Jobdesk schedule_jobs median {statistics.median(app):8.0f} jobs/s")
        print(f"ratio {ratio:.1%} (target >= 60 %)")


if __name__ == "__main__":
    main()

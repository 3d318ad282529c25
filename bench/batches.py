"""Batches: a 10,000-job ``schedule_batch`` against 10,000 plain ``schedule_jobs``.

Both write the rows with the bulk path and reach Redis with ``enqueue_many``; the batch
also writes its own row and links every job to it. Alternating rounds; rates are jobs
per second.

    .venv/bin/python bench/batches.py [--jobs 10000] [--rounds 7] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: the batch at least 80 % of plain bulk's rate.
"""

from __future__ import annotations

import statistics
import time

from common import environment, parse_options


def bulk_round(jobs: int) -> float:
    from jobs.services import schedule_jobs

    began = time.perf_counter()
    schedule_jobs({"task": "demo.noop"} for _ in range(jobs))
    return jobs / (time.perf_counter() - began)


def batch_round(jobs: int) -> float:
    from jobs.services.batches import schedule_batch

    began = time.perf_counter()
    schedule_batch(
        ({"task": "demo.noop"} for _ in range(jobs)), name="bench", on_complete="notifications.batch_done"
    )
    return jobs / (time.perf_counter() - began)


def main() -> None:
    options = parse_options(__doc__, ("--jobs", 10_000), ("--rounds", 7))
    with environment("batches", options.database_url):
        from django.db import connection

        from jobs.engine import broker

        bulk: list[float] = []
        batch: list[float] = []
        for index in range(options.rounds):
            bulk.append(bulk_round(options.jobs))
            broker.connection().flushdb()
            batch.append(batch_round(options.jobs))
            broker.connection().flushdb()
            print(f"round {index + 1}: schedule_jobs {bulk[-1]:8.0f}/s   schedule_batch {batch[-1]:8.0f}/s")
        ratio = statistics.median(batch) / statistics.median(bulk)
        print(f"database: {connection.vendor}; {options.jobs} jobs per round")
        for label, rates in (("schedule_jobs ", bulk), ("schedule_batch", batch)):
            spread = f"min {min(rates):.0f}, max {max(rates):.0f}"
            print(f"{label} median {statistics.median(rates):8.0f} jobs/s ({spread})")
        print(f"ratio {ratio:.1%} (target >= 80 %)")


if __name__ == "__main__":
    main()

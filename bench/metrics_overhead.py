"""Metrics overhead: no-op throughput with per-task metrics bookkeeping on vs off.

Starts its own Redis (project.embedded_redis) and a fresh database (a SQLite file, or
a PostgreSQL database created on ``--database-url``'s server), then runs
``--rounds`` pairs of rounds, alternating on and off so machine noise hits both alike.
Each round starts ``--workers`` fresh ``manage.py rqworker normal`` processes of one
worker class (with ``JOBS_METRICS_ENABLED=1`` or ``0``), waits until they are up,
schedules ``--jobs`` ``demo.noop`` jobs in one bulk call and measures
``jobs / (last finished_at - first started_at)`` from the Job rows. "Off" switches off
what monitoring adds per job (the per-task Redis pipeline); the core's per-queue
counters stay, as they are not optional. Target: less than 5 % cost. On a shared,
busy machine round-to-round noise can exceed the effect, so the per-attempt cost is
also measured directly (the bookkeeping call timed in a loop against the same Redis)
and put against the measured time per job.

    .venv/bin/python bench/metrics_overhead.py                           # Jobdesk's forking worker
    .venv/bin/python bench/metrics_overhead.py --worker-class rq.SimpleWorker   # no fork per job
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import Processes, environment, parse_options, timed_round, worker_args, worker_round_arguments


def one_round(options: argparse.Namespace, processes: Processes, metrics_on: bool, index: int) -> float:
    """Run one round; returns jobs per second."""
    names = (f"bench-{index}-{n}" for n in range(options.workers))
    workers = [worker_args(options.worker_class, name, skip_checks=True) for name in names]
    requests = ({"task": "demo.noop"} for _ in range(options.jobs))
    return timed_round(processes, workers, requests, JOBS_METRICS_ENABLED="1" if metrics_on else "0")


def bookkeeping_cost(samples: int = 5000) -> float:
    """Seconds one finished attempt's per-task bookkeeping takes, measured directly."""
    from django.utils import timezone

    from jobs.engine import broker
    from jobs.models import Job
    from jobs.monitoring import counters

    now = timezone.now()
    job = Job(task="demo.noop", queue="normal", created_at=now, enqueued_at=now, started_at=now)
    redis = broker.connection()  # in a worker: the RQ job's connection, already open
    began = time.perf_counter()
    for _ in range(samples):
        counters.record_attempt(job, "succeeded", 0.001, redis=redis)
    elapsed = (time.perf_counter() - began) / samples
    counters.flush()
    return elapsed


def report(on: list[float], off: list[float], options: argparse.Namespace) -> None:
    from jobs.models import TaskStats
    from jobs.monitoring import counters

    counters.flush()
    counted = sum(TaskStats.objects.filter(task="demo.noop").values_list("processed", flat=True))
    on_median, off_median = statistics.median(on), statistics.median(off)
    cost = 100 * (off_median - on_median) / off_median
    print(
        f"worker class {options.worker_class}, {options.workers} workers, {options.jobs} no-op jobs per round"
    )
    print("metrics on : " + "  ".join(f"{value:7.1f}" for value in on) + f"   median {on_median:7.1f} jobs/s")
    print(
        "metrics off: " + "  ".join(f"{value:7.1f}" for value in off) + f"   median {off_median:7.1f} jobs/s"
    )
    print(f"cost of metrics bookkeeping: {cost:+.1f} % of throughput (target < 5 %)")
    print(f"attempts counted per task while on: {counted} (expected {options.jobs * len(on)})")
    per_job = bookkeeping_cost()
    print(
        f"bookkeeping measured directly: {per_job * 1e6:.0f} µs per attempt = "
        f"{100 * per_job * off_median / options.workers:.2f} % of a worker's time per no-op job here"
    )


def main() -> None:
    rounds = worker_round_arguments("demo.noop jobs per round", "pairs of rounds (on, off)")
    options = parse_options(__doc__, *rounds)
    with environment("metrics", options.database_url) as tmp, Processes(tmp) as processes:
        on: list[float] = []
        off: list[float] = []
        for index in range(options.rounds * 2):
            metrics_on = index % 2 == 0
            rate = one_round(options, processes, metrics_on, index)
            (on if metrics_on else off).append(rate)
            label = "on " if metrics_on else "off"
            print(f"round {index + 1}: metrics {label} {rate:7.1f} jobs/s", flush=True)
        report(on, off, options)


if __name__ == "__main__":
    main()

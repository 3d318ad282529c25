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

from common import Processes, add_database_argument, environment, wait_for_workers


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500, help="demo.noop jobs per round")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of rounds (on, off)")
    parser.add_argument("--workers", type=int, default=2, help="rqworker processes per round")
    parser.add_argument("--worker-class", default="jobs.engine.worker.Worker", help="e.g. rq.SimpleWorker")
    add_database_argument(parser)
    return parser.parse_args()


def worker_args(options: argparse.Namespace, name: str) -> list[str]:
    args = ["rqworker", "normal", "--name", name]
    if options.worker_class != "jobs.engine.worker.Worker":
        args += ["--worker-class", options.worker_class, "--job-class", "jobs.engine.broker.JSONJob"]
        args += ["--serializer", "rq.serializers.JSONSerializer", "--skip-checks"]  # foreign on purpose
    return args


def one_round(options: argparse.Namespace, processes: Processes, metrics_on: bool, index: int) -> float:
    """Run one round; returns jobs per second."""
    from django.db.models import Max, Min

    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    flag = "1" if metrics_on else "0"
    for number in range(options.workers):
        name = f"bench-{index}-{number}"
        processes.manage(*worker_args(options, name), name=name, JOBS_METRICS_ENABLED=flag)
    wait_for_workers(options.workers, "normal")
    jobs = schedule_jobs({"task": "demo.noop"} for _ in range(options.jobs))
    ids = [job.pk for job in jobs]
    rows = Job.objects.filter(pk__in=ids)
    while rows.filter(status=JobStatus.SUCCEEDED).count() < len(ids):
        time.sleep(0.2)
    span = rows.aggregate(first=Min("started_at"), last=Max("finished_at"))
    processes.stop()
    return len(ids) / (span["last"] - span["first"]).total_seconds()


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
    options = parse_args()
    with environment("metrics", options.database_url) as tmp:
        processes = Processes(tmp)
        try:
            on: list[float] = []
            off: list[float] = []
            for index in range(options.rounds * 2):
                metrics_on = index % 2 == 0
                rate = one_round(options, processes, metrics_on, index)
                (on if metrics_on else off).append(rate)
                print(
                    f"round {index + 1}: metrics {'on ' if metrics_on else 'off'} {rate:7.1f} jobs/s",
                    flush=True,
                )
            report(on, off, options)
        finally:
            processes.stop()


if __name__ == "__main__":
    main()

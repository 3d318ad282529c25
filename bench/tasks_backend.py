"""The django.tasks backend's cost: enqueue and execution against Jobdesk's own API.

1. ``task.enqueue()`` through ``JobdeskBackend`` against ``schedule_job`` for a Jobdesk
   task, one job per call (each its own transaction, sent to Redis on commit), in this
   process, alternating blocks of 20 calls so that load on a shared machine hits both.
2. A no-op django.tasks task against Jobdesk's ``demo.noop``, alternating in one queue
   drained by one forking ``rqworker normal --burst``. A job's cost is the time from its
   start to the next job's start (its record, the next claim and fork), read from the
   RQ job hashes; the rate is 1 / the median cost of each kind.

    .venv/bin/python bench/tasks_backend.py [--jobs 400] [--rounds 3] [--database-url postgres://…/]

Targets: both at least 0.9× Jobdesk's own.
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
from pathlib import Path

from common import Processes, environment, parse_options, wait_until

BENCH = Path(__file__).resolve().parent
os.environ.update(JOBS_TASK_MODULES="tasks_backend_tasks", PYTHONPATH=str(BENCH))
BLOCK = 20


def enqueue_rates(jobs: int, index: int) -> tuple[float, float, float, float]:
    """Jobs per second through ``task.enqueue()`` and ``schedule_job``, and two ratios.

    A warm-up block of each goes first, uncounted; the side that starts alternates by
    round. On a shared machine a burst of someone else's load can land on a few blocks of
    one side, so besides the totals this gives the median over neighbouring pairs of
    blocks of their time ratio, and the ratio of this process's CPU time (which the
    machine's other work doesn't inflate).
    """
    from tasks_backend_tasks import noop

    from jobs.services import schedule_job

    for _ in range(BLOCK):
        noop.enqueue()
        schedule_job("demo.noop")
    spent = {True: 0.0, False: 0.0}
    cpu = {True: 0.0, False: 0.0}
    blocks: list[dict[bool, float]] = []
    for block in range(jobs // BLOCK):
        through_backend = (block + index) % 2 == 0
        began, began_cpu = time.perf_counter(), time.process_time()
        for _ in range(BLOCK):
            if through_backend:
                noop.enqueue()
            else:
                schedule_job("demo.noop")
        took = time.perf_counter() - began
        spent[through_backend] += took
        cpu[through_backend] += time.process_time() - began_cpu
        if block % 2 == 0:
            blocks.append({})
        blocks[-1][through_backend] = took
    per_side = BLOCK * (jobs // BLOCK) / 2
    return (
        per_side / spent[True],
        per_side / spent[False],
        statistics.median(pair[False] / pair[True] for pair in blocks if len(pair) == 2),
        cpu[False] / cpu[True],
    )


def run_rates(processes: Processes, jobs: int, index: int) -> tuple[float, float]:
    """Jobs per second of the django.tasks no-op and of ``demo.noop``, run alternately."""
    from rq.job import Job as RQJob

    from jobs.engine import broker
    from jobs.services import schedule_jobs

    tasks = ["tasks_backend_tasks.noop" if i % 2 == 0 else "demo.noop" for i in range(jobs)]
    ids = [str(job.pk) for job in schedule_jobs({"task": task} for task in tasks)]
    worker = processes.manage("rqworker", "normal", "--burst", name=f"worker-{index}")
    wait_until(lambda: worker.poll() is not None, 1800, "the worker to drain the queue", interval=0.2)
    fetched = RQJob.fetch_many(ids, connection=broker.connection(), serializer=None)
    started = [
        (job.started_at, task) for job, task in zip(fetched, tasks, strict=True) if job and job.started_at
    ]
    if len(started) != jobs:
        raise SystemExit(f"{len(started)} of {jobs} jobs ran; see {processes.tmp}/worker-{index}.log")
    started.sort()
    costs: dict[str, list[float]] = {"tasks_backend_tasks.noop": [], "demo.noop": []}
    for (at, task), (next_at, _) in itertools.pairwise(started):
        costs[task].append((next_at - at).total_seconds())
    return 1 / statistics.median(costs["tasks_backend_tasks.noop"]), 1 / statistics.median(costs["demo.noop"])


def report(label: str, pairs: list[tuple[float, ...]]) -> None:
    ratios = [rates[0] / rates[1] for rates in pairs]
    print(
        f"{label}: django.tasks median {statistics.median(p[0] for p in pairs):7.1f}/s, "
        f"Jobdesk median {statistics.median(p[1] for p in pairs):7.1f}/s, ratio median "
        f"{statistics.median(ratios):.2f}x (rounds {', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.9x)"
    )


def main() -> None:
    options = parse_options(__doc__, ("--jobs", 400), ("--rounds", 3))
    with environment("tasks_backend", options.database_url) as tmp:
        import django
        import tasks_backend_tasks  # noqa: F401 - registers the task in this process
        from django.db import connection

        from jobs.engine import broker

        enqueued: list[tuple[float, float, float, float]] = []
        ran: list[tuple[float, float]] = []
        with Processes(tmp) as processes:
            for index in range(options.rounds):
                enqueued.append(enqueue_rates(options.jobs, index))
                broker.connection().delete("rq:queue:normal")
                ran.append(run_rates(processes, options.jobs, index))
                print(
                    f"round {index + 1}: enqueue {enqueued[-1][0]:.0f} vs {enqueued[-1][1]:.0f}/s "
                    f"(paired blocks {enqueued[-1][2]:.2f}x, CPU {enqueued[-1][3]:.2f}x), "
                    f"run {ran[-1][0]:.1f} vs {ran[-1][1]:.1f} jobs/s",
                    flush=True,
                )
        print(f"Django {django.get_version()}, database {connection.vendor}, {options.jobs} jobs per round")
        report("enqueue()  vs schedule_job", enqueued)
        print(
            "enqueue()  vs schedule_job, robust: median of paired blocks "
            f"{statistics.median(rates[2] for rates in enqueued):.2f}x, CPU time "
            f"{statistics.median(rates[3] for rates in enqueued):.2f}x"
        )
        report("executed   vs Jobdesk task", ran)


if __name__ == "__main__":
    main()

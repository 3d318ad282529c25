"""Scheduler lateness: how long after its due time does a job start, with idle workers?

Starts its own Redis (project.embedded_redis), a fresh database (a SQLite file, or
a PostgreSQL database created on ``--database-url``'s server and dropped after), worker
processes and one ``manage.py rqscheduler``, then:

* schedules ``--one-off`` (1,000) one-off ``demo.noop`` jobs due at random instants
  within the first ``--window`` (60) seconds;
* creates ``--recurring`` (20) recurring ``demo.noop`` jobs every ``--every`` (5)
  seconds, for ``--minutes`` (5) minutes;

and reports p50/p99/max of ``started_at - due`` (``run_at`` for one-off jobs,
``scheduled_for`` for recurring runs), plus missing and duplicate runs. Target: p99 < 1 s.

    .venv/bin/python bench/scheduler_lateness.py               # the full run, ~6 minutes
    .venv/bin/python bench/scheduler_lateness.py --minutes 1   # a quick one
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from common import Processes, environment, parse_options, percentile, wait_for_workers

ARGUMENTS = (
    ("--minutes", 5.0, "how long the recurring jobs run"),
    ("--one-off", 1000, "one-off jobs to schedule"),
    ("--window", 60.0, "seconds over which one-off jobs fall due"),
    ("--recurring", 20, "recurring jobs"),
    ("--every", 5, "seconds between runs of each recurring job"),
    ("--workers", 4, "rqworker processes"),
)


def summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:>10}: no runs"
    return (
        f"{label:>10}: n={len(values):5d}  p50={percentile(values, 0.5):.3f}s  "
        f"p99={percentile(values, 0.99):.3f}s  max={max(values):.3f}s  min={min(values):.3f}s"
    )


def schedule_load(options: argparse.Namespace, start) -> None:
    from jobs.services import create_recurring_job, schedule_jobs

    rng = random.Random(42)
    schedule_jobs(
        {"task": "demo.noop", "run_at": start + timedelta(seconds=rng.uniform(0, options.window))}
        for _ in range(options.one_off)
    )
    for index in range(options.recurring):
        create_recurring_job(
            name=f"bench-{index}",
            task="demo.noop",
            schedule={"interval": {"every": options.every, "period": "seconds"}},
            start_at=start + timedelta(seconds=index * options.every / max(options.recurring, 1)),
            end_at=start + timedelta(minutes=options.minutes),
        )


def measure(options: argparse.Namespace, start) -> None:
    from django.db.models import Count

    from jobs.core.states import JobStatus
    from jobs.models import Job

    end = start + timedelta(minutes=max(options.minutes, options.window / 60))
    pending = Job.objects.exclude(status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED))
    while time.time() < end.timestamp() + 5 or (pending.exists() and time.time() < end.timestamp() + 60):
        time.sleep(1)
    started_one_off = list(Job.objects.filter(recurring_job__isnull=True, started_at__isnull=False))
    one_off = [(job.started_at - job.run_at).total_seconds() for job in started_one_off]
    runs = list(Job.objects.filter(recurring_job__isnull=False, started_at__isnull=False))
    recurring = [(job.started_at - job.scheduled_for).total_seconds() for job in runs]
    expected_runs = options.recurring * int(options.minutes * 60 // options.every)
    duplicates = (
        Job.objects.filter(recurring_job__isnull=False)
        .values("recurring_job", "scheduled_for")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    print(f"one-off jobs: {len(one_off)} of {options.one_off} started")
    print(f"recurring runs: {len(recurring)} started, ~{expected_runs} expected, {duplicates} duplicated")
    print("lateness (started_at - due):")
    print(summary("one-off", one_off))
    print(summary("recurring", recurring))
    print(summary("all", one_off + recurring))
    print("of which the scheduler's part (enqueued_at - due; the rest is waiting for a worker):")
    # A worker can claim a job before the scheduler marks its row queued; those have no
    # enqueued_at and are left out of this part.
    moved = [job for job in started_one_off if job.enqueued_at]
    print(summary("one-off", [(job.enqueued_at - job.run_at).total_seconds() for job in moved]))
    print(summary("recurring", [(job.enqueued_at - job.scheduled_for).total_seconds() for job in runs]))


def main() -> None:
    options = parse_options(__doc__, *ARGUMENTS)
    with environment("lateness", options.database_url) as tmp, Processes(tmp) as processes:
        for index in range(options.workers):
            processes.manage(
                "rqworker", "high", "normal", "low", "--name", f"bench-{index}", name=f"worker-{index}"
            )
        processes.manage("rqscheduler", name="scheduler")
        wait_for_workers(options.workers)
        from django.utils import timezone

        start = timezone.now() + timedelta(seconds=15)
        schedule_load(options, start)
        print(
            f"{options.workers} workers, 1 scheduler; {options.one_off} one-off jobs due within "
            f"{options.window:g} s, {options.recurring} recurring jobs every {options.every} s "
            f"for {options.minutes:g} min, from {start:%H:%M:%S} UTC"
        )
        measure(options, start)


if __name__ == "__main__":
    main()

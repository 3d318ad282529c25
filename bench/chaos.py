"""Chaos: many short jobs while workers are SIGKILLed at random, then counted.

Starts ``rqscheduler`` and ``--workers`` workers (``rqworker high normal low``), schedules
``--jobs`` jobs of a task that sleeps ``--seconds`` and records each execution that ran
to its end, and every ``--kill-every`` seconds (± half) SIGKILLs a random worker with
its work-horse (both process groups) and starts a replacement. When every job has
ended (or ``--timeout`` passes) it reports:

* terminal jobs, and lost ones (not terminal by the end);
* jobs whose task ran to its end more than once (at-least-once duplicates: a kill after
  the task's last line but before its outcome reached Redis), and of those, jobs two of
  whose executions overlapped in time (a double execution at the same time: must be 0);
* succeeded rows with no completed execution (an outcome recorded that never happened:
  must be 0).

    .venv/bin/python bench/chaos.py [--jobs 2000 --workers 3 --kill-every 5]
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
from common import Processes, environment, parse_options, wait_for_workers

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


TASKS = {"JOBS_TASK_MODULES": "chaos_tasks", "PYTHONPATH": str(BENCH)}
"""Workers run the task; the scheduler's housekeeper needs it too, for its back-off."""


def start_worker(processes: Processes, number: int):
    return processes.manage(
        "rqworker", "high", "normal", "low", "--name", f"chaos-{number}", name=f"worker-{number}", **TASKS
    )


def kill_with_horse(worker) -> None:
    horses = [child.pid for child in psutil.Process(worker.pid).children(recursive=True)]
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    worker.wait()


def unfinished() -> int:
    from jobs.models import Job

    return Job.objects.unfinished().count()


def run(options, processes: Processes) -> float:
    """Schedule, kill until everything ended; returns the seconds it took."""
    from jobs.services import schedule_jobs

    workers = [start_worker(processes, number) for number in range(options.workers)]
    wait_for_workers(options.workers)
    began = time.monotonic()
    schedule_jobs([{"task": "bench.chaos_step", "args": [options.seconds]} for _ in range(options.jobs)])
    kills, next_kill, spawned = 0, time.monotonic() + options.kill_every, options.workers
    while unfinished() and time.monotonic() - began < options.timeout:
        if time.monotonic() >= next_kill:
            victim = random.randrange(len(workers))
            kill_with_horse(workers[victim])
            workers[victim] = start_worker(processes, spawned)
            kills, spawned = kills + 1, spawned + 1
            next_kill = time.monotonic() + random.uniform(0.5, 1.5) * options.kill_every
        time.sleep(0.2)
    print(f"{kills} workers SIGKILLed with their horses")
    return time.monotonic() - began


def overlapping(spans: list[list[float]]) -> bool:
    ordered = sorted(spans)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(ordered))


def report(elapsed: float) -> None:
    from chaos_tasks import RUNS_KEY

    from jobs.core.states import TERMINAL, JobStatus
    from jobs.engine import broker
    from jobs.models import Job

    redis = broker.connection()
    rows = list(Job.objects.values_list("pk", "status", "attempts"))
    terminal = sum(1 for _, status, _ in rows if status in TERMINAL)
    doubled = overlapped = phantom = 0
    for pk, status, _attempts in rows:
        spans = [json.loads(raw) for raw in redis.lrange(RUNS_KEY.format(job_id=pk), 0, -1)]
        doubled += len(spans) > 1
        overlapped += overlapping(spans)
        phantom += status == JobStatus.SUCCEEDED and not spans
    statuses = Counter(status for _, status, _ in rows)
    lost = len(rows) - terminal
    print(f"{len(rows)} jobs in {elapsed:.0f} s: {terminal} terminal, {lost} lost; {dict(statuses)}")
    print(f"ran to the end more than once: {doubled}; overlapping executions: {overlapped}")
    print(f"succeeded without a completed execution: {phantom}")


def main() -> None:
    options = parse_options(
        __doc__,
        ("--jobs", 2000),
        ("--workers", 3),
        ("--seconds", 0.05),
        ("--kill-every", 5.0),
        ("--timeout", 900.0),
    )
    with environment("chaos", options.database_url) as tmp:
        import chaos_tasks  # noqa: F401 - registers the task in this process

        with Processes(tmp) as processes:
            processes.manage("rqscheduler", name="scheduler", **TASKS)
            elapsed = run(options, processes)
        report(elapsed)


if __name__ == "__main__":
    main()

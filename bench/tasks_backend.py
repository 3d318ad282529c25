"""The django.tasks backend's cost: enqueue and execution against Jobdesk's own API.

1. ``task.enqueue()`` through ``JobdeskBackend`` against ``schedule_job`` for a Jobdesk
   task, one job per call (each its own transaction, sent to Redis on commit), in this
   process, alternating rounds.
2. A no-op django.tasks task against Jobdesk's ``demo.noop``, each drained by a forking
   ``rqworker normal --burst``, in alternating rounds; rate from the RQ job hashes (as
   ``throughput.py``), so worker start-up is not counted.

    .venv/bin/python bench/tasks_backend.py [--jobs 500] [--rounds 3] [--database-url postgres://…/]

Targets: both at least 0.9× Jobdesk's own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from common import Processes, add_database_argument, environment
from throughput import _drain

BENCH = Path(__file__).resolve().parent
os.environ.update(JOBS_TASK_MODULES="tasks_backend_tasks", PYTHONPATH=str(BENCH))


def enqueue_rate(jobs: int, through_backend: bool) -> float:
    from tasks_backend_tasks import noop

    from jobs.services import schedule_job

    began = time.perf_counter()
    for _ in range(jobs):
        if through_backend:
            noop.enqueue()
        else:
            schedule_job("demo.noop")
    return jobs / (time.perf_counter() - began)


def run_rate(processes: Processes, jobs: int, task: str, name: str) -> float:
    from jobs.engine import broker
    from jobs.services import schedule_jobs

    broker.connection().delete("rq:queue:normal")
    ids = [str(job.pk) for job in schedule_jobs({"task": task} for _ in range(jobs))]
    return _drain(processes, ids, name)


def report(label: str, backend: list[float], own: list[float]) -> None:
    ratios = [b / o for b, o in zip(backend, own, strict=True)]
    print(
        f"{label}: django.tasks median {statistics.median(backend):7.1f}/s, Jobdesk median "
        f"{statistics.median(own):7.1f}/s, ratio {statistics.median(backend) / statistics.median(own):.2f}x "
        f"(per round {', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.9x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    add_database_argument(parser)
    options = parser.parse_args()
    with environment("tasks_backend", options.database_url) as tmp:
        import django
        import tasks_backend_tasks  # noqa: F401 - registers the task in this process
        from django.db import connection

        processes = Processes(tmp)
        enqueue = {True: [], False: []}
        run = {True: [], False: []}
        try:
            for index in range(options.rounds):
                for through_backend in (index % 2 == 0, index % 2 != 0):
                    enqueue[through_backend].append(enqueue_rate(options.jobs, through_backend))
                for through_backend in (index % 2 == 0, index % 2 != 0):
                    task = "tasks_backend_tasks.noop" if through_backend else "demo.noop"
                    run[through_backend].append(run_rate(processes, options.jobs, task, f"{task}-{index}"))
                print(
                    f"round {index + 1}: enqueue {enqueue[True][-1]:.0f} vs {enqueue[False][-1]:.0f}/s, "
                    f"run {run[True][-1]:.1f} vs {run[False][-1]:.1f} jobs/s",
                    flush=True,
                )
        finally:
            processes.stop()
        print(f"Django {django.get_version()}, database {connection.vendor}, {options.jobs} jobs per round")
        report("enqueue()  vs schedule_job", enqueue[True], enqueue[False])
        report("executed   vs Jobdesk task", run[True], run[False])


if __name__ == "__main__":
    main()

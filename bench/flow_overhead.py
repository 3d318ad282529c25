"""Flow control's cost per job: no-op throughput with a concurrency and a rate limit vs none.

Starts its own Redis and database, then runs ``--rounds`` pairs of rounds, alternating
the limited and the free task so machine noise hits both alike. Each round starts
``--workers`` fresh ``rqworker normal`` processes of one worker class, schedules
``--jobs`` no-op jobs in one bulk call and measures ``jobs / (last finished_at - first
started_at)``. The limited task has ``concurrency=1000, rate_limit="100000/s"``: limits
that never bind, so what is measured is the check (one row read, one Redis script to
take the slot and the start, one to give the slot back). Target: < 10 % on both
worker classes.

    .venv/bin/python bench/flow_overhead.py                                 # Jobdesk's forking worker
    .venv/bin/python bench/flow_overhead.py --worker-class rq.SimpleWorker  # no fork per job
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from common import Processes, environment, parse_options, timed_round, worker_args, worker_round_arguments

BENCH = Path(__file__).resolve().parent
TASKS = {"JOBS_TASK_MODULES": "flow_tasks", "PYTHONPATH": str(BENCH)}


def one_round(options: argparse.Namespace, processes: Processes, task: str, index: int) -> float:
    """Run one round of ``task``; returns jobs per second."""
    workers = [worker_args(options.worker_class, f"bench-{index}-{n}") for n in range(options.workers)]
    return timed_round(processes, workers, ({"task": task} for _ in range(options.jobs)), **TASKS)


def check_cost(samples: int = 2000) -> tuple[float, float]:
    """Seconds per job of the check measured directly: (the row read, the two Redis scripts)."""
    from jobs.engine.flow import scopes, slots
    from jobs.models import Job
    from jobs.services import schedule_job

    row = Job.objects.filter(pk=schedule_job("bench.flow.free").pk)
    began = time.perf_counter()
    for _ in range(samples):
        row.values("task", "queue", "args", "kwargs", "created_at", "status").first()
    read = (time.perf_counter() - began) / samples
    limits = scopes.limits_for("bench.flow.limited", "normal", [], {})
    began = time.perf_counter()
    for number in range(samples):
        slots.admit(f"cost-{number}", limits, time.time(), 0.0)
        slots.release(f"cost-{number}", limits)
    return read, (time.perf_counter() - began) / samples


def report(limited: list[float], free: list[float], options: argparse.Namespace) -> None:
    limited_median, free_median = statistics.median(limited), statistics.median(free)
    print(f"worker class {options.worker_class}, {options.workers} workers, {options.jobs} jobs per round")
    print("limited: " + "  ".join(f"{v:7.1f}" for v in limited) + f"   median {limited_median:7.1f} jobs/s")
    print("free   : " + "  ".join(f"{v:7.1f}" for v in free) + f"   median {free_median:7.1f} jobs/s")
    ratios = [a / b for a, b in zip(limited, free, strict=True)]
    print("per pair limited/free: " + "  ".join(f"{100 * r:5.1f} %" for r in ratios))
    cost = 100 * (free_median - limited_median) / free_median
    print(f"cost of a concurrency + rate limit: {cost:+.1f} % of throughput (target < 10 %)")
    read, scripts = check_cost()
    per_job = options.workers / free_median
    print(
        f"check measured directly: row read {read * 1e6:.0f} µs + slot/window scripts {scripts * 1e6:.0f} µs "
        f"= {100 * (read + scripts) / per_job:.2f} % of a worker's time per no-op job here"
    )


def main() -> None:
    options = parse_options(
        __doc__, *worker_round_arguments("no-op jobs per round", "pairs of rounds (limited, free)")
    )
    sys.path.insert(0, str(BENCH))
    with environment("flow", options.database_url) as tmp, Processes(tmp) as processes:
        import flow_tasks  # noqa: F401 - registers the tasks in this process too

        limited: list[float] = []
        free: list[float] = []
        for index in range(options.rounds * 2):
            task = "bench.flow.limited" if index % 2 == 0 else "bench.flow.free"
            rate = one_round(options, processes, task, index)
            (limited if task.endswith("limited") else free).append(rate)
            print(f"round {index + 1}: {task:20} {rate:7.1f} jobs/s", flush=True)
        report(limited, free, options)


if __name__ == "__main__":
    main()

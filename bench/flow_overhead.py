"""Flow control's cost per job: no-op throughput with a concurrency and a rate limit vs none.

Starts its own Redis and database, then, for each worker class asked for (by default
both of Jobdesk's: the forking ``Worker`` and the fast lane's ``FastWorker``), runs
``--rounds`` pairs of rounds, alternating the limited and the free task so machine
noise hits both alike. Each round starts ``--workers`` fresh ``rqworker normal``
processes of that class, schedules ``--jobs`` no-op jobs in one bulk call and measures
``jobs / (last finished_at - first started_at)``. The limited task has
``concurrency=1000, rate_limit="100000/s"``: limits that never bind, so what is measured
is the check (one row read, one Redis script to take the slot and the start, one to
give the slot back). Target: < 10 % on both worker classes.

    .venv/bin/python bench/flow_overhead.py                          # both worker classes
    .venv/bin/python bench/flow_overhead.py --worker-class fast      # FastWorker only
    .venv/bin/python bench/flow_overhead.py --worker-class rq.SimpleWorker  # plain RQ, for comparison
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from common import WORKER_CLASSES, Processes, add_database_argument, environment, timed_round, worker_args

BENCH = Path(__file__).resolve().parent
TASKS = {"JOBS_TASK_MODULES": "flow_tasks", "PYTHONPATH": str(BENCH)}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500, help="no-op jobs per round")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of rounds (limited, free)")
    parser.add_argument("--workers", type=int, default=2, help="rqworker processes per round")
    parser.add_argument(
        "--worker-class",
        action="append",
        dest="worker_classes",
        help="forking, fast, or a dotted RQ worker class; repeat for several (default: forking and fast)",
    )
    add_database_argument(parser)
    options = parser.parse_args()
    options.worker_classes = [WORKER_CLASSES.get(c, c) for c in options.worker_classes or WORKER_CLASSES]
    return options


def one_round(
    options: argparse.Namespace, processes: Processes, worker_class: str, task: str, index: int
) -> float:
    """Run one round of ``task``; returns jobs per second."""
    short = worker_class.rsplit(".", 1)[-1]
    workers = [worker_args(worker_class, f"bench-{short}-{index}-{n}") for n in range(options.workers)]
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


def report(limited: list[float], free: list[float], options: argparse.Namespace, worker_class: str) -> None:
    limited_median, free_median = statistics.median(limited), statistics.median(free)
    print(f"worker class {worker_class}, {options.workers} workers, {options.jobs} jobs per round")
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
    options = parse_args()
    sys.path.insert(0, str(BENCH))
    with environment("flow", options.database_url) as tmp:
        import flow_tasks  # noqa: F401 - registers the tasks in this process too

        with Processes(tmp) as processes:
            for worker_class in options.worker_classes:
                run_class(options, processes, worker_class)


def run_class(options: argparse.Namespace, processes: Processes, worker_class: str) -> None:
    """The alternating rounds of one worker class, then its report."""
    limited: list[float] = []
    free: list[float] = []
    for index in range(options.rounds * 2):
        # ABBA order (limited, free, free, limited, …): a workers' warm-up that lifts every
        # round a little over the last favours neither side.
        task = "bench.flow.limited" if index % 4 in (0, 3) else "bench.flow.free"
        rate = one_round(options, processes, worker_class, task, index)
        (limited if task.endswith("limited") else free).append(rate)
        print(
            f"{worker_class.rsplit('.', 1)[-1]} round {index + 1}: {task:20} {rate:7.1f} jobs/s", flush=True
        )
    report(limited, free, options, worker_class)


if __name__ == "__main__":
    main()

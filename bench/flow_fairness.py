"""Fairness of a keyed concurrency limit: two tenants' floods finish within 10 % of each other.

``bench.flow.tenant`` runs one job at a time per ``account``. ``--jobs`` jobs for
tenant "a" are scheduled first, then as many for "b" (the worst case: b's flood sits
behind a's in the queue), and ``--workers`` workers of each class asked for (by
default Jobdesk's forking ``Worker``, then the fast lane's ``FastWorker``) and a
scheduler drain both. Printed per class: each tenant's finish time (first start → its
last finish) and the ratio; target: within 10 %.

    .venv/bin/python bench/flow_fairness.py [--jobs 1000 --workers 3]   # both worker classes
    .venv/bin/python bench/flow_fairness.py --worker-class fast          # FastWorker only
"""

from __future__ import annotations

import argparse
import sys
import time

from common import (
    WORKER_CLASSES,
    Processes,
    add_database_argument,
    environment,
    wait_for_workers,
    worker_args,
)
from flow_overhead import BENCH, TASKS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000, help="jobs per tenant")
    parser.add_argument("--workers", type=int, default=3, help="rqworker processes")
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


def one_class(options: argparse.Namespace, processes: Processes, worker_class: str) -> None:
    """Both tenants' floods drained by workers of ``worker_class``; prints how far apart they finished."""
    from django.db.models import Max, Min

    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    Job.objects.filter(task="bench.flow.tenant").delete()
    short = worker_class.rsplit(".", 1)[-1]
    for number in range(options.workers):
        name = f"fair-{short}-{number}"
        processes.manage(*worker_args(worker_class, name), name=name, **TASKS)
    wait_for_workers(options.workers, "normal")
    for account in ("a", "b"):
        schedule_jobs({"task": "bench.flow.tenant", "args": [account]} for _ in range(options.jobs))
    rows = Job.objects.filter(task="bench.flow.tenant")
    while rows.filter(status=JobStatus.SUCCEEDED).count() < 2 * options.jobs:
        time.sleep(0.5)
    first = rows.aggregate(first=Min("started_at"))["first"]
    done = {
        account: (
            rows.filter(args=[account]).aggregate(last=Max("finished_at"))["last"] - first
        ).total_seconds()
        for account in ("a", "b")
    }
    slower, faster = max(done.values()), min(done.values())
    print(f"worker class {worker_class}: {options.jobs} jobs per tenant, {options.workers} workers")
    print(f"tenant a done after {done['a']:.1f} s, tenant b after {done['b']:.1f} s")
    print(f"difference: {100 * (slower - faster) / slower:.1f} % (target within 10 %)")
    held = rows.filter(logs__message__startswith="Waiting:").distinct().count()
    print(f"jobs that waited on the limit at least once: {held} of {2 * options.jobs}", flush=True)


def main() -> None:
    options = parse_args()
    sys.path.insert(0, str(BENCH))
    with environment("fairness", options.database_url) as tmp:
        import flow_tasks  # noqa: F401 - registers the tasks in this process too

        with Processes(tmp) as processes:
            for worker_class in options.worker_classes:
                processes.manage("rqscheduler", name="scheduler", **TASKS)
                one_class(options, processes, worker_class)
                processes.stop()


if __name__ == "__main__":
    main()

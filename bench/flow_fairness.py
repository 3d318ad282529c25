"""Fairness of a keyed concurrency limit: two tenants' floods finish within 10 % of each other.

``bench.flow.tenant`` runs one job at a time per ``account``. ``--jobs`` jobs for
tenant "a" are scheduled first, then as many for "b" (the worst case: b's flood sits
behind a's in the queue), and ``--workers`` forking workers and a scheduler drain
both. Printed: each tenant's finish time (first start → its last finish) and the
ratio; target: within 10 %.

    .venv/bin/python bench/flow_fairness.py [--jobs 1000 --workers 3]
"""

from __future__ import annotations

import sys
import time

from common import Processes, environment, parse_options, wait_for_workers
from flow_overhead import BENCH, TASKS


def main() -> None:
    options = parse_options(
        __doc__, ("--jobs", 1000, "jobs per tenant"), ("--workers", 3, "rqworker processes")
    )
    sys.path.insert(0, str(BENCH))
    with environment("fairness", options.database_url) as tmp:
        import flow_tasks  # noqa: F401 - registers the tasks in this process too
        from django.db.models import Max, Min

        from jobs.core.states import JobStatus
        from jobs.models import Job
        from jobs.services import schedule_jobs

        with Processes(tmp) as processes:
            processes.manage("rqscheduler", name="scheduler", **TASKS)
            for number in range(options.workers):
                processes.manage("rqworker", "normal", "--name", f"fair-{number}", name=f"w{number}", **TASKS)
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
            print(f"{options.jobs} jobs per tenant, {options.workers} workers, one at a time per tenant")
            print(f"tenant a done after {done['a']:.1f} s, tenant b after {done['b']:.1f} s")
            print(f"difference: {100 * (slower - faster) / slower:.1f} % (target within 10 %)")
            held = rows.filter(logs__message__startswith="Waiting:").distinct().count()
            print(f"jobs that waited on the limit at least once: {held} of {2 * options.jobs}")


if __name__ == "__main__":
    main()

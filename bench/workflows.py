"""Workflows: a 1,000-node workflow against the same 1,000 jobs without one.

A chord of 999 no-op members and one callback, run by two ``rqworker normal``
processes, against 1,000 no-op jobs from ``schedule_jobs`` on the same workers; then a
chain of 100 links (each link starts when the previous ends). Per-node overhead is the
workflow's extra time divided by its nodes.

    .venv/bin/python bench/workflows.py [--nodes 1000] [--links 100] [--database-url postgres://postgres@127.0.0.1:5432/]
"""

from __future__ import annotations

import time

from common import Processes, environment, parse_options, wait_for_workers, wait_until


def plain(count: int) -> float:
    from jobs.models import Job
    from jobs.services import schedule_jobs

    began = time.perf_counter()
    jobs = schedule_jobs({"task": "demo.noop"} for _ in range(count))
    ids = [job.pk for job in jobs]
    wait_until(
        lambda: Job.objects.filter(pk__in=ids, status="succeeded").count() == count, 900, "plain jobs", 0.2
    )
    return time.perf_counter() - began


def run_workflow(definition) -> float:
    from jobs.models import Workflow
    from jobs.services.workflows import schedule_workflow

    began = time.perf_counter()
    workflow = schedule_workflow(definition)
    wait_until(lambda: Workflow.objects.get(pk=workflow.pk).status != "running", 900, "the workflow", 0.2)
    status = Workflow.objects.get(pk=workflow.pk).status
    if status != "succeeded":
        raise SystemExit(f"workflow ended {status}")
    return time.perf_counter() - began


def main() -> None:
    options = parse_options(__doc__, ("--nodes", 1000), ("--links", 100))
    with environment("workflows", options.database_url) as tmp:
        from django.db import connection

        from jobs.core.workflows import chain, chord, group, step

        with Processes(tmp) as processes:
            processes.manage("rqworker", "normal", name="worker-1")
            processes.manage("rqworker", "normal", name="worker-2")
            wait_for_workers(2, "normal")
            plain(20)  # warm-up
            baseline = plain(options.nodes)
            members = group(*(step("demo.noop") for _ in range(options.nodes - 1)))
            fan_in = run_workflow(chord(members, step("demo.noop")))
            links = run_workflow(chain(*(step("demo.noop") for _ in range(options.links))))
        print(f"database: {connection.vendor}; 2 workers")
        print(f"{options.nodes} plain jobs: {baseline:.1f} s ({options.nodes / baseline:.0f} jobs/s)")
        print(
            f"{options.nodes}-node chord: {fan_in:.1f} s ({options.nodes / fan_in:.0f} nodes/s); "
            f"overhead {(fan_in - baseline) / options.nodes * 1000:.1f} ms per node"
        )
        print(
            f"{options.links}-link chain: {links:.1f} s, "
            f"{links / options.links * 1000:.0f} ms per link (start to start)"
        )


if __name__ == "__main__":
    main()

"""Worker memory: the resident size of a real ``rqworker`` process over many jobs.

Schedules ``--jobs`` no-op jobs, starts ``manage.py rqworker normal --burst`` and
samples the worker process's RSS (the parent; each job runs in a forked work-horse)
after the first 100 jobs and at the end.

    .venv/bin/python bench/worker_memory.py [--jobs 10000] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: growth under 10 % between the two samples.
"""

from __future__ import annotations

import time

import psutil
from common import Processes, environment, parse_options


def main() -> None:
    options = parse_options(__doc__, ("--jobs", 10_000))
    with environment("memory", options.database_url) as tmp:
        from jobs.core.states import JobStatus
        from jobs.models import Job
        from jobs.services import schedule_jobs

        schedule_jobs({"task": "demo.noop"} for _ in range(options.jobs))
        with Processes(tmp) as processes:
            worker = processes.manage("rqworker", "normal", "--burst", name="worker")
            process = psutil.Process(worker.pid)
            early = last = None
            while worker.poll() is None:
                done = Job.objects.filter(status=JobStatus.SUCCEEDED).count()
                try:
                    rss = process.memory_info().rss
                except psutil.NoSuchProcess:
                    break
                if early is None and done >= 100:
                    early = rss
                last = rss
                time.sleep(0.5)
        done = Job.objects.filter(status=JobStatus.SUCCEEDED).count()
        growth = (last - early) / early
        print(f"jobs done: {done} of {options.jobs}")
        print(f"worker RSS after 100 jobs: {early / 2**20:.1f} MiB; at the end: {last / 2**20:.1f} MiB")
        print(f"growth {growth:+.1%} (target < 10 %)")


if __name__ == "__main__":
    main()

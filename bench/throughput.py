"""Dispatch overhead: a no-op task through Jobdesk vs the same no-op straight on RQ.

Both run on one forking worker, burst: Jobdesk's ``jobs.engine.worker.Worker`` started as
``manage.py rqworker normal --burst``, and the baseline RQ's own ``rq.Worker`` started by
RQ's own command, plain ``rq worker --burst`` (no Django, no Jobdesk in its process: RQ's
parent is 34 MiB against Jobdesk's 86, and a fork costs by the page), on the same machine,
in the same run, in alternating rounds. Rate = jobs / (last ended_at - first started_at),
read from the RQ job hashes, so worker start-up is not counted for either side.

    .venv/bin/python bench/throughput.py [--jobs 1000] [--rounds 3] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: the app keeps at least 80 % of raw RQ's throughput.
"""

from __future__ import annotations

import os
import statistics
from datetime import datetime

from common import Processes, environment, parse_options, wait_until
from fast_lane import rq_command


def _span(ids: list[str]) -> float:
    from rq.job import Job as RQJob

    from jobs.engine import broker

    jobs = [job for job in RQJob.fetch_many(ids, connection=broker.connection(), serializer=None) if job]
    started = [job.started_at for job in jobs if job.started_at]
    ended = [job.ended_at for job in jobs if job.ended_at]
    first: datetime = min(started)
    last: datetime = max(ended)
    return (last - first).total_seconds()


def _drain(processes: Processes, ids: list[str], name: str, *worker_class: str) -> float:
    from rq.registry import FinishedJobRegistry

    from jobs.engine import broker

    registry = FinishedJobRegistry("normal", connection=broker.connection())
    before = registry.count
    worker = processes.manage("rqworker", "normal", "--burst", *worker_class, name=name)
    wait_until(lambda: worker.poll() is not None, 1800, f"{name} to drain the queue", interval=0.2)
    finished = registry.count - before
    if finished != len(ids):
        log = (processes.tmp / f"{name}.log").read_text()[-3000:]
        raise SystemExit(f"{name}: {finished} of {len(ids)} jobs finished; its log ends:\n{log}")
    return len(ids) / _span(ids)


def app_round(processes: Processes, jobs: int, index: int) -> float:
    from jobs.services import schedule_jobs

    ids = [str(job.pk) for job in schedule_jobs({"task": "demo.noop"} for _ in range(jobs))]
    return _drain(processes, ids, f"app-{index}")


def raw_round(processes: Processes, jobs: int, index: int) -> float:
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    from jobs.engine import broker

    queue = Queue("raw", connection=broker.connection())
    registry = FinishedJobRegistry("raw", connection=broker.connection())
    before = registry.count
    rq_jobs = queue.enqueue_many(
        [Queue.prepare_data("bench.common.noop", result_ttl=600) for _ in range(jobs)]
    )
    worker = rq_command(
        processes, "worker", "--burst", "--url", os.environ["REDIS_URL"], "raw", name=f"raw-{index}"
    )
    wait_until(lambda: worker.poll() is not None, 1800, "rq worker to drain the queue", interval=0.2)
    if registry.count - before != jobs:
        raise SystemExit(f"rq worker: {registry.count - before} of {jobs} finished; see {processes.tmp}")
    return jobs / _span([job.id for job in rq_jobs])


def queries_per_job() -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jobs.engine.execution import run_job
    from jobs.services import schedule_job

    job = schedule_job("demo.noop")
    with CaptureQueriesContext(connection) as captured:
        run_job(str(job.pk))
    return len(captured.captured_queries)


def main() -> None:
    options = parse_options(__doc__, ("--jobs", 1000), ("--rounds", 3))
    with environment("throughput", options.database_url) as tmp:
        from django.db import connection

        app: list[float] = []
        raw: list[float] = []
        with Processes(tmp) as processes:
            for index in range(options.rounds):
                raw.append(raw_round(processes, options.jobs, index))
                app.append(app_round(processes, options.jobs, index))
                print(
                    f"round {index + 1}: raw RQ {raw[-1]:7.1f} jobs/s   Jobdesk {app[-1]:7.1f} jobs/s",
                    flush=True,
                )
        ratio = statistics.median(app) / statistics.median(raw)
        print(f"database: {connection.vendor}; {options.jobs} no-op jobs per round, one forking worker")
        print(f"plain rq worker: {', '.join(f'{r:.1f}' for r in raw)} jobs/s")
        print(f"Jobdesk Worker:  {', '.join(f'{a:.1f}' for a in app)} jobs/s")
        print(f"per-round ratios: {', '.join(f'{a / r:.2f}' for a, r in zip(app, raw, strict=True))}")
        print(f"raw RQ median  {statistics.median(raw):7.1f} jobs/s")
        print(f"Jobdesk median {statistics.median(app):7.1f} jobs/s")
        print(f"ratio {ratio:.1%} (target >= 80 %)")
        print(f"database queries per job in the execution wrapper: {queries_per_job()}")


if __name__ == "__main__":
    main()

"""The fast lane (issue 13): throughput, concurrency, idle latency, memory, per-job costs.

    .venv/bin/python bench/fast_lane.py throughput [--jobs 2000] [--rounds 3] [--prefetch 8] [--database-url postgres://…]
    .venv/bin/python bench/fast_lane.py sleepy [--jobs 1000] [--rounds 3] [--database-url …]
    .venv/bin/python bench/fast_lane.py concurrency     # 100 jobs × sleep(1 s), one worker at 100 slots
    .venv/bin/python bench/fast_lane.py latency [--samples 200]
    .venv/bin/python bench/fast_lane.py memory [--jobs 20000]
    .venv/bin/python bench/fast_lane.py costs [--jobs 500]

* throughput: no-op jobs, 2 fast-lane processes (``rqworker --burst --worker-class
  FastWorker``) against raw RQ ``rq worker-pool -n 2 -w rq.SimpleWorker --burst`` in the
  same run, alternating rounds. Each side's rate is read from its own store: Jobdesk's
  rows (first ``started_at`` → last ``finished_at``), raw RQ's job hashes.
* sleepy: jobs that insert one row (a timeline line) and sleep 10 ms, drained by 2 fast
  workers of 1 slot, then by 1 fast worker of 20 slots; the rate as a share of what the
  sleeps allow (slots / 10 ms). Target >= 85 % for each.
* concurrency: a running fast worker at ``JOBDESK_WORKER_CONCURRENCY=100``; 100 jobs that
  sleep 1 s are scheduled; time until the last row is ``succeeded``. Target < 3 s.
* latency: a running idle fast worker; one no-op job at a time; schedule → the row's
  ``finished_at``. Target p50 ≤ 8 ms, p95 ≤ 15 ms.
* memory: one fast worker's resident memory after a warm-up and after ``--jobs`` more.
* costs: per job, SQL statements (every cursor execute in the worker's process) and
  Redis round trips (every request sent by the worker's clients), counted in-process
  with a burst worker of each class; plus Redis commands counted by the server
  (``INFO commandstats``), which for the forking class includes its work-horses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, Processes, add_database_argument, environment, wait_for_workers, wait_until

FAST = "jobs.engine.fastlane.worker.FastWorker"
TASKS = {"JOBS_TASK_MODULES": "fast_lane_tasks", "PYTHONPATH": str(ROOT / "bench")}
SLEEP = 0.010


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):8.1f}  min {min(values):8.1f}  max {max(values):8.1f}"


def _row_rate(ids: list) -> float:
    from django.db.models import Max, Min

    from jobs.models import Job

    span = Job.objects.filter(pk__in=ids).aggregate(first=Min("started_at"), last=Max("finished_at"))
    return len(ids) / (span["last"] - span["first"]).total_seconds()


def fast_round(
    processes: Processes,
    requests: list[dict],
    name: str,
    *,
    workers: int = 2,
    slots: int = 1,
    prefetch: int = 0,
) -> float:
    """``workers`` burst fast workers drain ``requests``; jobs/s read from the rows."""
    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    ids = [job.pk for job in schedule_jobs(requests)]
    env = {"JOBDESK_WORKER_CONCURRENCY": str(slots), "JOBDESK_WORKER_PREFETCH": str(prefetch)}
    started = [
        processes.manage("rqworker", "normal", "--burst", "--worker-class", FAST, name=f"{name}-{n}", **env)
        for n in range(workers)
    ]
    wait_until(lambda: all(w.poll() is not None for w in started), 1800, "the fast workers to drain")
    done = Job.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count()
    if done != len(ids):
        raise SystemExit(f"fast lane: {done} of {len(ids)} succeeded; see {processes.tmp}")
    return _row_rate(ids)


def rq_command(processes: Processes, *args: str, name: str) -> subprocess.Popen:
    """RQ's own command line (``rq …``), with this checkout importable for its job functions."""
    log = open(processes.tmp / f"{name}.log", "w")  # noqa: SIM115
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "rq"), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    processes.running.append(process)
    return process


def raw_round(processes: Processes, jobs: int, index: int) -> float:
    from rq import Queue
    from rq.job import Job as RQJob

    from jobs.engine import broker

    queue = Queue("raw", connection=broker.connection())
    rq_jobs = queue.enqueue_many(
        [Queue.prepare_data("bench.common.noop", result_ttl=600) for _ in range(jobs)]
    )
    url = os.environ["REDIS_URL"]
    pool = rq_command(
        processes,
        "worker-pool",
        "-n",
        "2",
        "-w",
        "rq.SimpleWorker",
        "--burst",
        "--url",
        url,
        "raw",
        name=f"raw-{index}",
    )
    wait_until(lambda: pool.poll() is not None, 1800, "rq worker-pool to drain")
    fetched = [
        job for job in RQJob.fetch_many([j.id for j in rq_jobs], connection=broker.connection()) if job
    ]
    finished = [job for job in fetched if job.ended_at]
    if len(finished) != jobs:
        raise SystemExit(f"raw RQ: {len(finished)} of {jobs} finished; see {processes.tmp}")
    first, last = min(j.started_at for j in finished), max(j.ended_at for j in finished)
    return jobs / (last - first).total_seconds()


def throughput(options: argparse.Namespace, processes: Processes) -> None:
    from django.db import connection

    fast, raw = [], []
    for index in range(options.rounds):
        raw.append(raw_round(processes, options.jobs, index))
        noops = [{"task": "demo.noop"} for _ in range(options.jobs)]
        fast.append(
            fast_round(processes, noops, f"fast-{index}", slots=options.slots, prefetch=options.prefetch)
        )
        print(
            f"round {index + 1}: raw RQ {raw[-1]:7.1f} jobs/s   fast lane {fast[-1]:7.1f} jobs/s", flush=True
        )
    print(f"database {connection.vendor}; {options.jobs} no-op jobs per round; 2 processes each side")
    print(f"raw RQ worker-pool -n 2 SimpleWorker: {_spread(raw)} jobs/s")
    print(f"fast lane, {options.slots} slot(s) x 2, prefetch {options.prefetch}: {_spread(fast)} jobs/s")
    ratios = [f / r for f, r in zip(fast, raw, strict=True)]
    print(
        f"per-round ratio fast/raw: {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"ratio of medians {statistics.median(fast) / statistics.median(raw):.2f} (target >= 3)"
    )


def sleepy(options: argparse.Namespace, processes: Processes) -> None:
    """One-row insert + 10 ms sleep: the share of what the sleeps allow, in two shapes."""
    from django.db import connection

    shapes = (("2 processes x 1 slot", 2, 1), ("1 process x 20 slots", 1, 20))
    shares: dict[str, list[float]] = {label: [] for label, _, _ in shapes}
    for index in range(options.rounds):
        for label, workers, slots in shapes:
            requests = [
                {"task": "fast_lane_tasks.insert_and_sleep", "args": [SLEEP]} for _ in range(options.jobs)
            ]
            rate = fast_round(
                processes,
                requests,
                f"sleepy-{index}-{slots}",
                workers=workers,
                slots=slots,
                prefetch=options.prefetch,
            )
            ceiling = workers * slots / SLEEP
            shares[label].append(100 * rate / ceiling)
            print(
                f"round {index + 1}: {label}: {rate:7.1f} jobs/s = {shares[label][-1]:.1f} % of {ceiling:.0f}"
            )
    print(f"database {connection.vendor}; {options.jobs} jobs of one-row insert + 10 ms sleep per round")
    for label, values in shares.items():
        print(f"{label:22s} share of the sleep ceiling (%): {_spread(values)} (target >= 85)")


def _running_fast_worker(processes: Processes, slots: int):
    worker = processes.manage(
        "rqworker",
        "normal",
        "--worker-class",
        FAST,
        name=f"fast-{slots}",
        JOBDESK_WORKER_CONCURRENCY=str(slots),
    )
    wait_for_workers(1, "normal")
    return worker


def concurrency(options: argparse.Namespace, processes: Processes) -> None:
    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    _running_fast_worker(processes, 100)
    times = []
    for index in range(options.rounds):
        began = time.monotonic()
        ids = [job.pk for job in schedule_jobs({"task": "demo.sleep", "args": [1]} for _ in range(100))]
        wait_until(
            lambda ids=ids: Job.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count() == 100,
            60,
            "the 100 sleeps",
            interval=0.02,
        )
        times.append(time.monotonic() - began)
        print(
            f"round {index + 1}: 100 x sleep(1 s) scheduled → all succeeded in {times[-1]:.2f} s", flush=True
        )
    print(f"100 x 1 s at concurrency 100, one worker: {_spread(times)} s (target < 3 s)")


def latency(options: argparse.Namespace, processes: Processes) -> None:
    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_job

    _running_fast_worker(processes, 1)
    samples = []
    for _ in range(options.samples + 20):
        job = schedule_job("demo.noop")
        wait_until(
            lambda job=job: Job.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).exists(),
            30,
            "the job",
            interval=0.002,
        )
        row = Job.objects.get(pk=job.pk)
        samples.append((row.finished_at - row.created_at).total_seconds() * 1000)
        time.sleep(0.02)  # idle between jobs
    samples = sorted(samples[20:])
    p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95)]
    print(
        f"idle latency, schedule → succeeded in the DB, {len(samples)} samples: "
        f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {samples[-1]:.1f} ms (targets 8 / 15 ms)"
    )


def memory(options: argparse.Namespace, processes: Processes) -> None:
    import psutil

    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    worker = _running_fast_worker(processes, 1)
    process = psutil.Process(worker.pid)

    def run(count: int) -> float:
        for start in range(0, count, 5000):
            ids = [
                j.pk for j in schedule_jobs({"task": "demo.noop"} for _ in range(min(5000, count - start)))
            ]
            wait_until(
                lambda ids=ids: (
                    not Job.objects.filter(pk__in=ids).exclude(status=JobStatus.SUCCEEDED).exists()
                ),
                3600,
                "the batch",
            )
        return process.memory_info().rss / 2**20

    warm = run(2000)
    after = run(options.jobs)
    print(
        f"fast worker RSS: {warm:.1f} MiB after 2,000 jobs, {after:.1f} MiB after {options.jobs:,} more: "
        f"growth {after / warm - 1:+.1%} (target < 10 %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["throughput", "sleepy", "concurrency", "latency", "memory", "costs"])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slots", type=int, default=1, help="slots per fast worker (throughput)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--prefetch", type=int, default=8, help="JOBS['WORKER_PREFETCH'] of the fast workers")
    add_database_argument(parser)
    options = parser.parse_args()
    os.environ.update(TASKS)  # this process schedules the sleepy task; its workers run it
    with environment(f"fast_{options.what}", options.database_url) as tmp:
        if options.what == "costs":
            from fast_lane_costs import costs

            costs(options.jobs, options.prefetch)
            return
        processes = Processes(tmp)
        try:
            globals()[options.what](options, processes)
        finally:
            processes.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()

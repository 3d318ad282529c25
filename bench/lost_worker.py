"""Lost-worker detection: how soon a job whose worker and work-horse were SIGKILLed is retried.

Runs ``manage.py rqscheduler`` (whose housekeeper finds lost attempts) and, per round,
a fresh ``rqworker``. Each round starts a long job, waits a random part of a lease
period (so kills land at every phase of the worker's lease renewals), SIGKILLs the
worker's process group and the work-horse's (RQ gives the horse a group of its own),
and measures from the kill to the ``retrying`` line the housekeeper writes. The retry
is then cancelled so the next round starts clean.

    .venv/bin/python bench/lost_worker.py [--kills 10] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: p95 < 30 s.
"""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import UTC, datetime

import psutil
from common import Processes, environment, parse_options, percentile, wait_until


def horse_of(worker: psutil.Process) -> psutil.Process:
    found: list[psutil.Process] = []

    def appeared() -> bool:
        found[:] = worker.children(recursive=True)
        return bool(found)

    wait_until(appeared, 30, "the work-horse")
    return found[0]


def one_round(processes: Processes, number: int) -> float:
    """Kill one busy worker and its horse; seconds until the attempt is recorded lost."""
    from jobs import conf
    from jobs.core.states import JobStatus
    from jobs.models import Job, JobLog
    from jobs.services import cancel_job, schedule_job

    worker = processes.manage("rqworker", "normal", "--name", f"doomed-{number}", name=f"worker-{number}")
    job = schedule_job("demo.sleep", args=[600], max_attempts=2)
    started = Job.objects.filter(pk=job.pk, status=JobStatus.STARTED)
    wait_until(started.exists, 60, "the job to start")
    horse = horse_of(psutil.Process(worker.pid))
    time.sleep(random.uniform(0, conf.get().JOB_MONITORING_INTERVAL))
    os.killpg(worker.pid, signal.SIGKILL)
    os.killpg(horse.pid, signal.SIGKILL)
    killed_at = datetime.now(UTC)
    worker.wait()
    retrying = JobLog.objects.filter(job=job, event=JobLog.Event.RETRYING)
    wait_until(retrying.exists, 120, "the lost attempt to be recorded", interval=0.05)
    detected = (retrying.get().created_at - killed_at).total_seconds()
    cancel_job(job.pk)
    return detected


def main() -> None:
    options = parse_options(__doc__, ("--kills", 10))
    with environment("lost_worker", options.database_url) as tmp:
        from jobs import conf

        with Processes(tmp) as processes:
            processes.manage("rqscheduler", name="scheduler")
            detections = []
            for number in range(options.kills):
                detections.append(one_round(processes, number))
                print(f"kill {number + 1}: recorded lost after {detections[-1]:.2f} s", flush=True)
        settings = conf.get()
        print(
            f"WORKER_LOST_AFTER={settings.WORKER_LOST_AFTER:g} s, lease renewed every "
            f"{settings.JOB_MONITORING_INTERVAL} s, checked every {settings.LOST_CHECK_INTERVAL:g} s"
        )
        print(
            f"detection over {len(detections)} kills: p50 {percentile(detections, 0.5):.1f} s, "
            f"p95 {percentile(detections, 0.95):.1f} s, max {max(detections):.1f} s (target p95 < 30 s)"
        )


if __name__ == "__main__":
    main()

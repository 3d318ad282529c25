"""Events: publish → job started latency on an idle worker, and events per second.

One ``rqworker normal`` waits idle; each event of ``transaction.created`` (one code
trigger, ``transactions.categorise``) is published only once the previous event's job
has finished, so every measurement starts from an idle worker. Latency is the job's
``started_at`` minus the time just before ``publish_event`` was called (one clock: the
worker runs on this machine). Then ``--burst`` events are published back to back: the
publish rate, and the rate until all their jobs have finished, against the same jobs
scheduled with ``schedule_job`` (the baseline).

    .venv/bin/python bench/events.py [--events 200] [--burst 1000] [--database-url postgres://postgres@127.0.0.1:5432/]

Target: p99 < 1 s (the reference's ceiling is 5 s).
"""

from __future__ import annotations

import statistics
import time

from common import Processes, environment, parse_options, percentile, wait_for_workers, wait_until


def measure_latency(count: int) -> list[float]:
    from django.utils import timezone

    from jobs.models import EventDelivery, Job
    from jobs.services.events import publish_event

    latencies = []
    for number in range(count):
        published = timezone.now()
        event = publish_event("transaction.created", {"transaction_id": number, "amount": 1.0})
        job_id = EventDelivery.objects.get(event=event).job_id
        done = Job.objects.filter(pk=job_id, status="succeeded")
        wait_until(done.exists, 30, "the job", interval=0.005)
        started = Job.objects.values_list("started_at", flat=True).get(pk=job_id)
        latencies.append((started - published).total_seconds())
    return latencies


def measure_burst(count: int, *, events: bool) -> tuple[float, float]:
    """Publish ``count`` events back to back (or, as the baseline, schedule the same jobs
    with ``schedule_job``): the sending rate, and the rate until every job finished."""
    from jobs.models import Job
    from jobs.services import schedule_job
    from jobs.services.events import publish_event

    before = Job.objects.filter(status="succeeded").count()
    began = time.perf_counter()
    for number in range(count):
        payload = {"transaction_id": number, "amount": 2.0}
        if events:
            publish_event("transaction.created", payload)
        else:
            schedule_job("transactions.categorise", kwargs=payload)
    published = time.perf_counter() - began
    wait_until(
        lambda: Job.objects.filter(status="succeeded").count() >= before + count,
        600,
        "the burst",
        interval=0.1,
    )
    return count / published, count / (time.perf_counter() - began)


def main() -> None:
    options = parse_options(__doc__, ("--events", 200), ("--burst", 1000))
    with environment("events", options.database_url) as tmp:
        from django.db import connection

        with Processes(tmp) as processes:
            processes.manage("rqworker", "normal", name="worker")
            wait_for_workers(1, "normal")
            measure_latency(5)  # warm-up: the worker's first jobs load what it needs
            latencies = measure_latency(options.events)
            baseline = measure_burst(options.burst, events=False)
            burst = measure_burst(options.burst, events=True)
        print(f"database: {connection.vendor}; {options.events} events, one trigger each, idle worker")
        print(
            f"publish → started: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
            "(target p99 < 1000 ms)"
        )
        for label, (sent, done) in (("schedule_job (baseline)", baseline), ("publish_event", burst)):
            print(
                f"burst of {options.burst}, {label}: sent {sent:.0f}/s; {done:.1f}/s until every job finished"
            )
        ratios = f"sending {burst[0] / baseline[0]:.0%}, end to end {burst[1] / baseline[1]:.0%}"
        print(f"publish_event / schedule_job: {ratios}")


if __name__ == "__main__":
    main()

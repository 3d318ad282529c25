"""The example project's tasks: the reference job definitions in the registry, and demo.* running."""

from jobs.core.registry import get_task
from jobs.models import Job
from jobs.services import schedule_job


def test_reference_job_definitions_are_expressible():
    notification = get_task("notifications.send")
    assert (notification.priority, notification.max_attempts, notification.timeout) == ("high", 3, 10)
    assert (notification.backoff.strategy, notification.backoff.initial, notification.backoff.max_delay) == (
        "exponential",
        0.5,
        5,
    )
    importer = get_task("transactions.import")
    assert (importer.max_attempts, importer.timeout, importer.backoff.strategy) == (5, 300, "linear")
    assert (importer.backoff.initial, importer.backoff.max_delay) == (5, 30)
    export = get_task("reports.generate")
    assert (export.max_attempts, export.backoff.strategy, export.backoff.initial) == (2, "fixed", 60)


def test_the_demo_tasks_run_as_designed(burst_worker):
    added = schedule_job("demo.add", args=[2, 3])
    failed = schedule_job("demo.fail", args=["on purpose"], max_attempts=1)
    burst_worker()
    assert Job.objects.get(pk=added.pk).result == 5
    assert Job.objects.get(pk=failed.pk).error == "RuntimeError: on purpose"

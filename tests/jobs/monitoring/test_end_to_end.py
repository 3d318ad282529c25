"""The real scheduler process's housekeeper folds the counters and sends alerts; real workers deliver."""

import hashlib
import hmac

import pytest

from jobs.models import AlertEvent, TaskStats
from jobs.services import schedule_job
from jobs.services.alerts import create_alert_rule
from tests.conftest import wait_for
from tests.webhooks import SECRET

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_housekeeper_counts_per_task_and_a_worker_delivers_the_signed_alert(processes, receiver):
    create_alert_rule(name="low backlog", kind="backlog", queue="low", threshold=0, webhook_url=receiver.url)
    schedule_job("tests.add", args=[1, 2])
    schedule_job("tests.add", args=[3, 4], queue="low")
    processes.worker("normal", JOBS_ALERT_WEBHOOK_SECRET=SECRET)
    processes.scheduler(JOBS_ALERT_WEBHOOK_SECRET=SECRET)

    wait_for(lambda: receiver.requests, timeout=90, interval=0.5, message=f"a webhook\n{processes.logs()}")
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    signed = headers["x-jobdesk-timestamp"].encode() + b"." + request["body"]
    assert (
        headers["x-jobdesk-signature"]
        == "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    )
    assert receiver.payloads()[0]["alert"]["subject"] == "queue:low"
    wait_for(
        lambda: AlertEvent.objects.filter(webhook_status=AlertEvent.Delivery.DELIVERED).exists(), timeout=30
    )
    stats = wait_for(lambda: TaskStats.objects.filter(task="tests.add", queue="normal").first(), timeout=30)
    assert (stats.processed, stats.succeeded) == (1, 1)

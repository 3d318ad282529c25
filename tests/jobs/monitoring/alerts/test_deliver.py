"""Alerts reach people: a signed webhook and an email, delivered as jobs and retried."""

import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from jobs.core.states import JobStatus
from jobs.models import AlertEvent, Job
from jobs.monitoring.alerts.deliver import EMAIL_TASK, WEBHOOK_TASK
from jobs.monitoring.alerts.evaluate import evaluate
from jobs.services import schedule_job
from tests.conftest import closed_port, wait_for
from tests.factories import make_alert_rule
from tests.webhooks import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def backlog_rule(**channels):
    """Fires as soon as one job waits on "low"."""
    return make_alert_rule(queue="low", **channels)


def test_webhook_gets_a_correctly_signed_payload(receiver, burst_worker):
    backlog_rule(webhook_url=receiver.url)
    schedule_job("tests.add", args=[1, 1], queue="low")
    [event] = evaluate()
    assert receiver.requests == [], "the housekeeper only schedules the delivery"
    burst_worker("normal")
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    signed = headers["x-jobdesk-timestamp"].encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-jobdesk-signature"], expected)
    assert abs(int(headers["x-jobdesk-timestamp"]) - time.time()) < 60
    assert headers["content-type"] == "application/json"
    [payload] = receiver.payloads()
    assert payload["event"] == "firing" and payload["event_id"] == event.pk
    assert payload["rule"]["name"] == "backlog" and payload["alert"]["subject"] == "queue:low"
    assert "1 waiting jobs" in payload["message"]
    assert AlertEvent.objects.get(pk=event.pk).webhook_status == AlertEvent.Delivery.DELIVERED


def test_resolved_is_delivered_too(receiver, burst_worker):
    backlog_rule(webhook_url=receiver.url)
    schedule_job("tests.add", args=[1, 1], queue="low")
    evaluate()
    burst_worker("low")
    evaluate()
    burst_worker("normal")
    assert [payload["event"] for payload in receiver.payloads()] == ["firing", "resolved"]


@pytest.mark.slow
def test_failing_webhook_is_retried_and_never_fails_or_blocks_other_jobs(
    receiver, burst_worker, run_scheduler, settings
):
    settings.JOBS = {**settings.JOBS, "ALERT_WEBHOOK_TIMEOUT": 0.5}
    receiver.status, receiver.delay = 500, 0.0
    backlog_rule(webhook_url=receiver.url)
    schedule_job("tests.add", args=[1, 1], queue="low")
    [event] = evaluate()
    other = schedule_job("tests.add", args=[2, 3])
    burst_worker("normal")
    assert Job.objects.get(pk=other.pk).result == 5
    delivery = Job.objects.get(task=WEBHOOK_TASK)
    assert (delivery.status, delivery.attempts) == (JobStatus.SCHEDULED, 1), "retried with back-off"
    assert delivery.run_at > timezone.now()
    assert AlertEvent.objects.get(pk=event.pk).webhook_status == AlertEvent.Delivery.FAILED
    assert "500" in AlertEvent.objects.get(pk=event.pk).webhook_error

    def next_attempt_ran(attempts):
        run_scheduler()
        burst_worker("normal")
        return Job.objects.get(pk=delivery.pk).attempts == attempts

    receiver.status, receiver.delay = 200, 2.0
    wait_for(lambda: next_attempt_ran(2), timeout=30)
    assert Job.objects.get(pk=delivery.pk).status == JobStatus.SCHEDULED, "a slow endpoint times out"

    receiver.delay = 0.0
    wait_for(lambda: next_attempt_ran(3), timeout=30)
    assert Job.objects.get(pk=delivery.pk).status == JobStatus.SUCCEEDED
    assert AlertEvent.objects.get(pk=event.pk).webhook_status == AlertEvent.Delivery.DELIVERED
    assert len(receiver.requests) == 3


def test_an_unreachable_webhook_is_only_a_failed_delivery(burst_worker):
    backlog_rule(webhook_url=f"http://127.0.0.1:{closed_port()}/hook")
    schedule_job("tests.add", args=[1, 1], queue="low")
    [event] = evaluate()
    burst_worker("normal")
    assert Job.objects.get(task=WEBHOOK_TASK).status == JobStatus.SCHEDULED
    assert "refused" in AlertEvent.objects.get(pk=event.pk).webhook_error.lower()


def test_email_goes_through_djangos_email_backend(burst_worker, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    backlog_rule(email_recipients="ops@example.com, oncall@example.com")
    schedule_job("tests.add", args=[1, 1], queue="low")
    [event] = evaluate()
    burst_worker("normal")
    assert Job.objects.get(task=EMAIL_TASK).status == JobStatus.SUCCEEDED
    [mail] = [path.read_text() for path in tmp_path.iterdir()]
    assert "Subject: [Jobdesk] Firing: backlog (queue:low)" in mail
    assert "To: ops@example.com, oncall@example.com" in mail
    assert "1 waiting jobs" in mail
    assert AlertEvent.objects.get(pk=event.pk).email_status == AlertEvent.Delivery.DELIVERED

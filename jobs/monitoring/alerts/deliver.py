"""Telling people about alerts: a signed webhook and an email, each sent as a Jobdesk job.

Delivery never happens in the housekeeper or in a job's worker: each notification is a
job of ``jobs.deliver_webhook`` / ``jobs.deliver_alert_email``, so it is retried with
back-off through the job system itself, a slow or dead endpoint only delays its own
job (short socket timeouts), and every attempt shows in the job's timeline.

The webhook is a JSON ``POST`` with these headers::

    X-Jobdesk-Event: firing | repeat | resolved
    X-Jobdesk-Timestamp: <unix seconds>
    X-Jobdesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">

The HMAC is keyed by ``JOBS['ALERT_WEBHOOK_SECRET']``. A receiver recomputes it over the
timestamp, a dot and the raw body, compares in constant time, and rejects old
timestamps to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.mail import send_mail
from django.db import transaction

from jobs import conf
from jobs.core.registry import Backoff, task
from jobs.engine.creation import create_job
from jobs.models import AlertEvent

WEBHOOK_TASK = "jobs.deliver_webhook"
EMAIL_TASK = "jobs.deliver_alert_email"
RETRY = Backoff("exponential", initial=2, max_delay=600, jitter=0.1)
S = AlertEvent.Delivery


class WebhookDeliveryError(RuntimeError):
    """The endpoint refused or didn't answer; the job system retries the delivery."""


def payload(event: AlertEvent) -> dict[str, Any]:
    """What receivers get: the event, its alert and its rule, with ISO times."""
    alert, rule = event.alert, event.alert.rule
    return {
        "event": event.kind,
        "event_id": event.pk,
        "sent_at": event.created_at.isoformat(),
        "message": event.message,
        "value": event.value,
        "alert": {
            "id": alert.pk,
            "subject": alert.subject,
            "started_at": alert.started_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
        "rule": {
            "id": rule.pk,
            "name": rule.name,
            "kind": rule.kind,
            "queue": rule.queue,
            "task": rule.task,
            "threshold": rule.threshold,
        },
    }


def sign(body: bytes, timestamp: str, secret: str) -> str:
    """The ``X-Jobdesk-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def notify(event: AlertEvent) -> None:
    """Schedule the deliveries the event's rule asks for (after the event is committed)."""
    rule = event.alert.rule
    updates = {}
    if rule.webhook_url:
        updates["webhook_status"] = S.PENDING
    if rule.recipients:
        updates["email_status"] = S.PENDING
    if not updates:
        return
    AlertEvent.objects.filter(pk=event.pk).update(**updates)
    if rule.webhook_url:
        create_job(WEBHOOK_TASK, args=[event.pk], via="alerts")
    if rule.recipients:
        create_job(EMAIL_TASK, args=[event.pk], via="alerts")


def _event(event_id: int) -> AlertEvent | None:
    return AlertEvent.objects.select_related("alert__rule").filter(pk=event_id).first()


@task(name=WEBHOOK_TASK, max_attempts=10, backoff=RETRY, timeout=60)
def deliver_webhook(event_id: int) -> dict[str, Any]:
    """POST one alert event to its rule's webhook, signed; raise so a failure is retried."""
    event = _event(event_id)
    if event is None or not event.alert.rule.webhook_url:
        return {"skipped": "event or webhook gone"}
    settings = conf.get()
    body = json.dumps(payload(event), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        event.alert.rule.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Jobdesk-Alerts/1",
            "X-Jobdesk-Event": event.kind,
            "X-Jobdesk-Timestamp": timestamp,
            "X-Jobdesk-Signature": sign(body, timestamp, settings.ALERT_WEBHOOK_SECRET),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ALERT_WEBHOOK_TIMEOUT) as response:
            status = response.status
    except (urllib.error.URLError, OSError, ValueError) as exc:
        AlertEvent.objects.filter(pk=event_id).update(webhook_status=S.FAILED, webhook_error=str(exc)[:1000])
        raise WebhookDeliveryError(f"Webhook {event.alert.rule.webhook_url} failed: {exc}") from exc
    AlertEvent.objects.filter(pk=event_id).update(webhook_status=S.DELIVERED, webhook_error="")
    return {"status": status}


@task(name=EMAIL_TASK, max_attempts=5, backoff=RETRY, timeout=60)
def deliver_alert_email(event_id: int) -> dict[str, Any]:
    """Email one alert event to its rule's recipients through Django's email backend."""
    event = _event(event_id)
    if event is None or not event.alert.rule.recipients:
        return {"skipped": "event or recipients gone"}
    rule, alert = event.alert.rule, event.alert
    subject = f"[Jobdesk] {event.get_kind_display()}: {rule.name} ({alert.subject})"
    body = (
        f"{event.message}\n\nRule: {rule.name} ({rule.get_kind_display()}, threshold {rule.threshold:g})\n"
        f"Subject: {alert.subject}\nSince: {alert.started_at.isoformat()}\n"
    )
    if alert.resolved_at:
        body += f"Resolved: {alert.resolved_at.isoformat()}\n"
    try:
        sent = send_mail(subject, body, None, rule.recipients)
    except Exception:
        with transaction.atomic():
            AlertEvent.objects.filter(pk=event_id).update(email_status=S.FAILED)
        raise
    AlertEvent.objects.filter(pk=event_id).update(email_status=S.DELIVERED)
    return {"sent": sent}

"""Alert rules: which exist, whether they hold, and the fire → repeat → resolve cycle.

Rules are ``AlertRule`` rows, editable in the admin. ``JOBS['ALERT_RULES']`` (default:
``jobs.core.alert_rules.DEFAULT_RULES``, the reference thresholds) lists rules that the
housekeeper creates, by name, when missing (``services.alerts.ensure_configured_rules``);
after that the row is the truth, so an admin's edit sticks (disable a
rule rather than delete it, or it is created again).

The housekeeper calls :func:`evaluate` with ``now`` every few seconds. For each enabled
rule and each subject breaching it (see :mod:`jobs.monitoring.alerts.conditions`):

* new breach → an ``Alert`` opens and a *firing* ``AlertEvent`` is sent;
* still breaching → a *repeat* event at most every ``repeat_minutes``;
* breach gone (or rule disabled) → the alert closes and a *resolved* event is sent.

Every event is stored and delivered by :mod:`jobs.monitoring.alerts.deliver` through the job system.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.engine import broker
from jobs.engine.outage import CONNECTION_ERRORS
from jobs.models import Alert, AlertEvent, AlertRule
from jobs.monitoring.alerts.conditions import CONDITIONS, Breach, Snapshot
from jobs.monitoring.alerts.deliver import notify

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger("jobs.alerts")


def evaluate(now: datetime | None = None, redis: Redis | None = None) -> list[AlertEvent]:
    """Check every rule once; returns the events it sent (fired, repeated, resolved)."""
    now = now or timezone.now()
    snap = Snapshot(now=now, redis=redis or broker.connection())
    events: list[AlertEvent] = []
    for rule in AlertRule.objects.all():
        breaches: dict[str, Breach] = {}
        if rule.enabled:
            try:
                breaches = CONDITIONS[rule.kind](rule, snap)
            except CONNECTION_ERRORS:
                raise  # Redis is gone: the housekeeper waits for it, one log line for all rules
            except Exception:
                logger.exception("alert rule %r could not be evaluated", rule.name)
                continue
        try:
            with transaction.atomic():
                events += _transition(rule, breaches, now)
        except IntegrityError:
            logger.info("alert rule %r was evaluated by another process at the same time", rule.name)
    return events


def _transition(rule: AlertRule, breaches: dict[str, Breach], now: datetime) -> list[AlertEvent]:
    open_alerts = {alert.subject: alert for alert in rule.alerts.filter(resolved_at__isnull=True)}
    events = []
    repeat = timedelta(minutes=rule.repeat_minutes)
    for subject, breach in breaches.items():
        alert = open_alerts.get(subject)
        if alert is None:
            alert = Alert.objects.create(
                rule=rule, subject=subject, message=breach.message, value=breach.value,
                started_at=now, last_notified_at=now,
            )  # fmt: skip
            events.append(_send(alert, AlertEvent.Kind.FIRING, breach.message, breach.value, now))
        elif now - alert.last_notified_at >= repeat:
            Alert.objects.filter(pk=alert.pk).update(
                last_notified_at=now, message=breach.message, value=breach.value
            )
            events.append(_send(alert, AlertEvent.Kind.REPEAT, breach.message, breach.value, now))
    for subject, alert in open_alerts.items():
        if subject not in breaches:
            alert.resolved_at = now
            alert.save(update_fields=["resolved_at"])
            # The event's kind says "resolved" wherever it is shown ("Resolved: …" in the
            # admin and the e-mail subject); the message says what was wrong and for how long.
            message = f"Cleared after {_lasted(now - alert.started_at)} (was: {alert.message})"
            events.append(_send(alert, AlertEvent.Kind.RESOLVED, message, alert.value, now))
    return events


def _lasted(span: timedelta) -> str:
    seconds = max(span.total_seconds(), 0)
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _send(alert: Alert, kind: str, message: str, value: float | None, now: datetime) -> AlertEvent:
    with transaction.atomic():
        event = AlertEvent.objects.create(
            alert=alert, kind=kind, message=message, value=value, created_at=now
        )
        notify(event)
    log = logger.info if kind == AlertEvent.Kind.RESOLVED else logger.warning
    log("alert=%r subject=%s event=%s message=%r", alert.rule.name, alert.subject, kind, message)
    return event

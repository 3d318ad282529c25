"""Alert rules: which exist, whether they hold, and the fire → repeat → resolve cycle.

Rules are ``AlertRule`` rows, editable in the admin. ``JOBS['ALERT_RULES']`` (default:
:data:`DEFAULT_RULES`, the reference thresholds) lists rules that are created, by name,
when missing; after that the row is the truth, so an admin's edit sticks (disable a
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
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from redis import Redis

from jobs import conf
from jobs.core.registry import get_task
from jobs.core.rules import MAX_COUNT, MAX_DELAY_SECONDS, is_whole
from jobs.engine import broker
from jobs.engine.outage import CONNECTION_ERRORS
from jobs.exceptions import JobsError, UnknownTask
from jobs.models import Alert, AlertEvent, AlertRule
from jobs.monitoring.alerts.conditions import CONDITIONS, Breach, Snapshot
from jobs.monitoring.alerts.deliver import notify

logger = logging.getLogger("jobs.alerts")

K = AlertRule.Kind
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {"name": "Queue backlog over 500", "kind": K.BACKLOG, "threshold": 500},
    {
        "name": "Failure rate over 20 %",
        "kind": K.FAILURE_RATE,
        "threshold": 20,
        "window_minutes": 15,
        "min_jobs": 5,
    },
    {"name": "Job stuck over 30 min", "kind": K.STUCK, "threshold": 30 * 60},
    {"name": "Fewer than 2 healthy workers", "kind": K.WORKERS, "threshold": 2},
    {"name": "Job waiting over 10 min", "kind": K.OLDEST_WAITING, "threshold": 10 * 60},
    {"name": "Recurring job overdue 5 min", "kind": K.RECURRING_MISSED, "threshold": 5 * 60},
)
EDITABLE = frozenset(
    {
        "name", "kind", "queue", "task", "threshold", "window_minutes", "min_jobs", "repeat_minutes",
        "enabled", "webhook_url", "email_recipients", "description",
    }
)  # fmt: skip


MAX_REPEAT_MINUTES = MAX_DELAY_SECONDS // 60


class InvalidAlertRule(JobsError):
    code = "invalid_alert_rule"


def _threshold_error(rule: AlertRule) -> str | None:
    try:
        value = float(rule.threshold)
    except (TypeError, ValueError):
        return "The threshold must be a number."
    if isinstance(rule.threshold, bool) or not math.isfinite(value):
        return "The threshold must be a number."
    if rule.kind == K.FAILURE_RATE and not 0 <= value < 100:
        return "A failure-rate threshold is a percentage from 0 up to (not including) 100."
    if rule.kind in (K.BACKLOG, K.WORKERS) and (value < (1 if rule.kind == K.WORKERS else 0) or value % 1):
        return "This threshold is a whole number of jobs or workers (workers: at least 1)."
    if rule.kind in (K.OLDEST_WAITING, K.STUCK, K.RECURRING_MISSED, K.SLA) and not (
        0 < value <= MAX_DELAY_SECONDS
    ):
        return f"This threshold is a duration in seconds, above 0 and at most {MAX_DELAY_SECONDS}."
    return None


def _webhook_error(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return "The webhook URL must be an http:// or https:// URL with a host."
    if not conf.get().ALERT_WEBHOOK_SECRET:
        return "Set JOBS['ALERT_WEBHOOK_SECRET'] so webhooks can be signed."
    return None


def _scope_errors(rule: AlertRule) -> dict[str, str]:
    errors = {}
    if rule.queue and rule.queue not in conf.get().QUEUES:
        errors["queue"] = f"Unknown queue {rule.queue!r}."
    if rule.task:
        try:
            get_task(rule.task)
        except UnknownTask:
            errors["task"] = f"Unknown task {rule.task!r}: it is not registered."
    elif rule.kind == K.SLA:
        errors["task"] = "An SLA rule names the task whose SLA it is."
    return errors


def rule_errors(rule: AlertRule) -> dict[str, str]:
    """Every problem with a rule, by field; empty when it is valid."""
    errors = _scope_errors(rule)
    if rule.kind not in K.values:
        errors["kind"] = f"Unknown kind {rule.kind!r}; use one of {', '.join(K.values)}."
    elif (problem := _threshold_error(rule)) is not None:
        errors["threshold"] = problem
    retention = conf.get().METRICS_HISTORY_DAYS * 24 * 60
    if not is_whole(rule.window_minutes, 1, retention):
        errors["window_minutes"] = f"The window is 1 to {retention} minutes (the history kept)."
    if not is_whole(rule.min_jobs, 1, MAX_COUNT):
        errors["min_jobs"] = f"From 1 to {MAX_COUNT} finished jobs."
    if not is_whole(rule.repeat_minutes, 1, MAX_REPEAT_MINUTES):
        errors["repeat_minutes"] = f"Repeat every 1 to {MAX_REPEAT_MINUTES} minutes."
    if (problem := _webhook_error(rule.webhook_url)) is not None:
        errors["webhook_url"] = problem
    for address in rule.recipients:
        try:
            validate_email(address)
        except ValidationError:
            errors["email_recipients"] = f"{address!r} is not an email address."
    return errors


def validation_error(rule: AlertRule) -> ValidationError | None:
    """The rule's problems as a form-ready ValidationError (what ``AlertRule.clean`` raises)."""
    errors = rule_errors(rule)
    return ValidationError(errors) if errors else None


def _save(rule: AlertRule, fields: dict[str, Any]) -> AlertRule:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InvalidAlertRule(f"Unknown alert rule fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(rule, name, value)
    errors = rule_errors(rule)
    if not rule.name:
        errors["name"] = "A rule needs a name."
    if errors:
        raise InvalidAlertRule("; ".join(errors.values()), fields=errors)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise InvalidAlertRule(f"A rule named {rule.name!r} exists.", fields={"name": "taken"}) from exc
    return rule


def create_alert_rule(**fields: Any) -> AlertRule:
    """Create a rule. Raises: InvalidAlertRule (nothing saved) for any bad field."""
    return _save(AlertRule(), fields)


def update_alert_rule(rule_id: int, **fields: Any) -> AlertRule:
    """Change a rule. Raises: InvalidAlertRule (nothing saved) for any bad field."""
    rule = AlertRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise InvalidAlertRule(f"No alert rule {rule_id!r}.", fields={"id": "unknown"})
    return _save(rule, fields)


def ensure_configured_rules() -> None:
    """Create the rules ``JOBS['ALERT_RULES']`` lists that don't exist yet (by name)."""
    configured = conf.get().ALERT_RULES
    wanted = DEFAULT_RULES if configured is None else tuple(configured)
    present = set(
        AlertRule.objects.filter(name__in=[r["name"] for r in wanted]).values_list("name", flat=True)
    )
    for fields in wanted:
        if fields["name"] not in present:
            try:
                create_alert_rule(**fields)
            except InvalidAlertRule as exc:
                raise ImproperlyConfigured(f"JOBS['ALERT_RULES'] {fields['name']!r}: {exc.message}") from exc


def active_alerts() -> QuerySet[Alert]:
    """Open incidents, newest first (what the dashboard shows)."""
    return Alert.objects.filter(resolved_at__isnull=True).select_related("rule").order_by("-started_at")


def evaluate(now: datetime | None = None, redis: Redis | None = None) -> list[AlertEvent]:
    """Check every rule once; returns the events it sent (fired, repeated, resolved)."""
    now = now or timezone.now()
    ensure_configured_rules()
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
            message = f"Resolved: {alert.message}"
            events.append(_send(alert, AlertEvent.Kind.RESOLVED, message, alert.value, now))
    return events


def _send(alert: Alert, kind: str, message: str, value: float | None, now: datetime) -> AlertEvent:
    with transaction.atomic():
        event = AlertEvent.objects.create(
            alert=alert, kind=kind, message=message, value=value, created_at=now
        )
        notify(event)
    log = logger.info if kind == AlertEvent.Kind.RESOLVED else logger.warning
    log("alert=%r subject=%s event=%s message=%r", alert.rule.name, alert.subject, kind, message)
    return event

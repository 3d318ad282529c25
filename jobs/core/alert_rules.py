"""What makes an alert rule valid: checked once, for the model, the admin and the services.

Pure rules: the only data read is the settings and the task registry.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model

from jobs import conf
from jobs.core.registry import get_task
from jobs.core.rules import MAX_COUNT, MAX_DELAY_SECONDS, is_whole
from jobs.core.states import AlertKind
from jobs.core.validation import check_queue
from jobs.exceptions import UnknownQueue, UnknownTask

K = AlertKind
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


def _threshold_error(rule: Model) -> str | None:
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
    if rule.kind in (K.OLDEST_WAITING, K.STUCK, K.RECURRING_MISSED, K.SLA, K.BREAKER_OPEN) and not (
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


def _scope_errors(rule: Model) -> dict[str, str]:
    errors = {}
    if rule.queue:
        try:
            check_queue(rule.queue)
        except UnknownQueue as exc:
            errors["queue"] = exc.message
    if rule.task:
        try:
            get_task(rule.task)
        except UnknownTask:
            errors["task"] = f"Unknown task {rule.task!r}: it is not registered."
    elif rule.kind == K.SLA:
        errors["task"] = "An SLA rule names the task whose SLA it is."
    return errors


def rule_errors(rule: Model) -> dict[str, str]:
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


def validation_error(rule: Model) -> ValidationError | None:
    """The rule's problems as a form-ready ValidationError (what ``AlertRule.clean`` raises)."""
    errors = rule_errors(rule)
    return ValidationError(errors) if errors else None

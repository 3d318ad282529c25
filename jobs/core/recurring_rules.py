"""What makes a RecurringJob valid, checked once for services, forms and serializers.

Nothing here writes. A schedule arrives as a dictionary with exactly one key —
``crontab``, ``interval`` or ``clocked`` — and becomes an unsaved django-celery-beat
schedule row; the service saves it (reusing an identical row) only once everything is
valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.utils import timezone
from django_celery_beat import validators
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule

from jobs import conf
from jobs.core import schedules, validation
from jobs.core.rules import EARLIEST, LATEST, MAX_CONCURRENT_RUNS, MAX_DELAY, is_storable_text, is_whole
from jobs.core.schedules import CRON_FIELDS
from jobs.core.states import MisfirePolicy, Priority
from jobs.exceptions import InvalidArguments, InvalidSchedule, JobsError

KINDS = ("crontab", "interval", "clocked")
CRON_VALIDATORS = {
    "minute": validators.minute_validator,
    "hour": validators.hour_validator,
    "day_of_month": validators.day_of_month_validator,
    "month_of_year": validators.month_of_year_validator,
    "day_of_week": validators.day_of_week_validator,
}


def build_schedule(schedule: Any) -> tuple[str, Any]:
    """Turn ``{"crontab": {...}}`` and the like into ``(kind, unsaved schedule row)``.

    Raises:
        InvalidSchedule
    """
    if not isinstance(schedule, Mapping) or len(schedule) != 1 or next(iter(schedule)) not in KINDS:
        raise InvalidSchedule(
            "Give exactly one schedule: crontab, interval or clocked.", fields={"schedule": "exactly one"}
        )
    kind, spec = next(iter(schedule.items()))
    if not isinstance(spec, Mapping):
        raise InvalidSchedule(f"The {kind} schedule must be an object.", fields={"schedule": "not an object"})
    return kind, {"crontab": _crontab, "interval": _interval, "clocked": _clocked}[kind](dict(spec))


def _unknown_keys(spec: dict, allowed: tuple[str, ...], kind: str) -> None:
    unknown = set(spec) - set(allowed)
    if unknown:
        raise InvalidSchedule(
            f"Unknown {kind} field(s): {', '.join(sorted(map(str, unknown)))[:200]}.",
            fields={"schedule": "unknown field"},
        )


def _crontab(spec: dict) -> CrontabSchedule:
    _unknown_keys(spec, (*CRON_FIELDS, "timezone"), "crontab")
    values = {name: str(spec.get(name, "*")).strip() or "*" for name in CRON_FIELDS}
    for name, check in CRON_VALIDATORS.items():
        try:
            check(values[name])
        except (ValidationError, ValueError, TypeError) as exc:
            raise InvalidSchedule(
                f"Invalid cron {name.replace('_', ' ')} {values[name][:50]!r}.", fields={"schedule": name}
            ) from exc
    tz_name = str(spec.get("timezone") or "UTC")
    try:
        schedules.zone(tz_name)
    except schedules.ScheduleError as exc:
        raise InvalidSchedule(str(exc), fields={"schedule": "timezone"}) from exc
    return CrontabSchedule(timezone=tz_name, **values)


def _interval(spec: dict) -> IntervalSchedule:
    _unknown_keys(spec, ("every", "period"), "interval")
    schedule = IntervalSchedule(every=spec.get("every"), period=spec.get("period", "seconds"))
    _check_interval(schedule)
    return schedule


def _check_interval(schedule: IntervalSchedule) -> None:
    """A valid period and length, at most MAX_DELAY (celery-beat's admin allows any integer)."""
    try:
        seconds = schedules.interval_seconds(schedule)
    except schedules.ScheduleError as exc:
        raise InvalidSchedule(str(exc), fields={"schedule": exc.field}) from exc
    if seconds > MAX_DELAY.total_seconds():
        raise InvalidSchedule(
            f"An interval can be at most {MAX_DELAY.days} days.", fields={"schedule": "every"}
        )


def _clocked(spec: dict) -> ClockedSchedule:
    _unknown_keys(spec, ("clocked_time",), "clocked")
    at = spec.get("clocked_time")
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            at = None
    if not isinstance(at, datetime) or timezone.is_naive(at):
        raise InvalidSchedule(
            "clocked_time must be a date and time with a timezone.", fields={"schedule": "clocked_time"}
        )
    return ClockedSchedule(clocked_time=at)


def validate_recurring_job(rj: Model, *, now: datetime | None = None, new_schedule: bool = True) -> None:
    """Every rule a RecurringJob must meet; the one place they live.

    ``new_schedule`` says the schedule was just given, so a clocked time in the past is
    refused (an existing one-off schedule that already ran stays valid).

    Raises:
        UnknownTask, InvalidArguments, PayloadTooLarge, UnknownQueue, InvalidSchedule
    """
    now = now or timezone.now()
    name = (rj.name or "").strip()
    if not name or len(name) > 200 or not is_storable_text(name):
        raise InvalidArguments("A name of 1 to 200 characters is required.", fields={"name": "required"})
    if type(rj)._default_manager.filter(name=name).exclude(pk=rj.pk).exists():
        raise InvalidArguments(
            f"A recurring job named {name[:200]!r} already exists.", fields={"name": "taken"}
        )
    task = validation.resolve_task(rj.task)
    validation.check_arguments(task, rj.args, rj.kwargs)
    priority = validation.resolve_priority(rj.priority or None, task)
    if rj.queue:
        validation.resolve_queue(rj.queue, task, priority)
    _check_options(rj)
    _check_timing(rj, now, new_schedule)


def _check_options(rj: Model) -> None:
    if not is_whole(rj.max_concurrent_runs, 1, MAX_CONCURRENT_RUNS):
        raise InvalidArguments(
            f"max_concurrent_runs must be a whole number from 1 to {MAX_CONCURRENT_RUNS}.",
            fields={"max_concurrent_runs": "out of range"},
        )
    if rj.misfire_policy not in MisfirePolicy.values:
        raise InvalidArguments(
            f"misfire_policy must be one of {', '.join(MisfirePolicy.values)}.",
            fields={"misfire_policy": "unknown"},
        )
    if not isinstance(rj.enabled, bool):
        raise InvalidArguments("enabled must be true or false.", fields={"enabled": "not a boolean"})
    if not isinstance(rj.description, str) or not is_storable_text(rj.description):
        raise InvalidArguments("description must be text.", fields={"description": "not text"})
    if rj.priority and rj.priority not in Priority.values:
        raise InvalidArguments(f"Unknown priority {rj.priority!r}.", fields={"priority": "unknown"})


def _check_timing(rj: Model, now: datetime, new_schedule: bool) -> None:
    for field in ("start_at", "end_at"):
        value = getattr(rj, field)
        if value is not None and (not isinstance(value, datetime) or timezone.is_naive(value)):
            raise InvalidSchedule(
                f"{field} must be a date and time with a timezone.", fields={field: "invalid"}
            )
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidSchedule(
                f"{field} must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.",
                fields={field: "out of range"},
            )
    if rj.start_at and rj.end_at and rj.end_at <= rj.start_at:
        raise InvalidSchedule("end_at must be after start_at.", fields={"end_at": "before start_at"})
    kind = schedules.schedule_kind(rj)
    if kind is None:
        raise InvalidSchedule(
            "Give exactly one schedule: crontab, interval or clocked.", fields={"schedule": "exactly one"}
        )
    if kind == "crontab":
        _check_crontab(rj, now)
    elif kind == "interval":
        _check_interval(rj.interval)
    elif new_schedule:
        _check_clocked(rj.clocked.clocked_time, now)


def _check_clocked(at: datetime, now: datetime) -> None:
    if not isinstance(at, datetime) or timezone.is_naive(at):
        raise InvalidSchedule(
            "clocked_time must be a date and time with a timezone.", fields={"schedule": "clocked_time"}
        )
    if now - at > timedelta(seconds=conf.get().RUN_AT_PAST_TOLERANCE):
        raise InvalidSchedule("The clocked time is in the past.", fields={"schedule": "clocked_time"})
    if at - now > MAX_DELAY:
        raise InvalidSchedule(
            f"The clocked time can be at most {MAX_DELAY.days} days ahead.",
            fields={"schedule": "clocked_time"},
        )


def _check_crontab(rj: Model, now: datetime) -> None:
    try:
        cron = schedules.cron_of(rj.crontab)
    except schedules.ScheduleError as exc:
        raise InvalidSchedule(str(exc), fields={"schedule": exc.field}) from exc
    if cron.next_after(now) is None:
        raise InvalidSchedule(
            "This cron schedule never fires (no such date, e.g. 31 February).",
            fields={"schedule": "never fires"},
        )


def validation_error(rj: Model) -> ValidationError | None:
    """The same rules as a Django ``ValidationError`` keyed by model fields (for ``clean()``)."""
    try:
        validate_recurring_job(rj, new_schedule=rj.pk is None)
    except JobsError as exc:
        return ValidationError(
            {_model_field(rj, field): exc.message for field in exc.fields or {NON_FIELD_ERRORS: ""}}
        )
    return None


def _model_field(rj: Model, field: str) -> str:
    if field == "schedule":
        return schedules.schedule_kind(rj) or NON_FIELD_ERRORS
    model_fields = {f.name for f in rj._meta.get_fields()}
    return field if field in model_fields else NON_FIELD_ERRORS

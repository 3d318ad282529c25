"""Adopting django-celery-beat: PeriodicTask rows become RecurringJobs.

A PeriodicTask maps when its ``task`` is a registered Jobdesk task name: its schedule
row (crontab with timezone, interval, clocked), args and kwargs (JSON text), enabled,
start_time (→ ``start_at``), expires (→ ``end_at``), description and — if Jobdesk has
a queue of that name — its queue. Every row goes through
:func:`~jobs.services.recurring.create_recurring_job`, so an import refuses exactly what
the admin or the API would. Solar schedules have no Jobdesk equivalent and are listed
as not importable; so are celery's own tasks (``celery.backend_cleanup``) and rows
whose name is already taken by a RecurringJob (already imported).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django_celery_beat.models import PeriodicTask

from jobs import conf
from jobs.core import schedules
from jobs.core.schedules import schedule_spec
from jobs.exceptions import JobsError
from jobs.models import RecurringJob
from jobs.services.recurring import create_recurring_job


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    imported: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    applied: bool = False


class _Unmappable(Exception):
    pass


def import_periodic_tasks(*, apply: bool = False, user: Any = None, via: str = "cli") -> ImportReport:
    """Turn every mappable PeriodicTask into a RecurringJob; without ``apply``, write nothing.

    The dry run runs the very same code inside a transaction that is rolled back.
    """
    report = ImportReport(applied=apply)
    rows = PeriodicTask.objects.select_related("crontab", "interval", "clocked", "solar").order_by("name")
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():
                    rj = create_recurring_job(user=user, via=via, **_options(row))
            except (JobsError, _Unmappable) as exc:
                report.refused.append((row.name, getattr(exc, "message", str(exc))))
                continue
            report.imported.append((row.name, f"{rj.task}, {schedules.describe_schedule(rj)}"))
        if not apply:
            transaction.set_rollback(True)
    return report


def _options(row: PeriodicTask) -> dict[str, Any]:
    if RecurringJob.objects.filter(name=row.name).exists():
        raise _Unmappable("A recurring job of this name exists already (imported before?).")
    return {
        "name": row.name,
        "task": row.task,
        "args": _json(row.args, "args", list),
        "kwargs": _json(row.kwargs, "kwargs", dict),
        "queue": row.queue if row.queue in conf.get().QUEUES else "",
        "schedule": _schedule(row),
        "enabled": row.enabled,
        "start_at": row.start_time,
        "end_at": row.expires,
        "description": row.description or "",
    }


def _json(text: str | None, name: str, kind: type) -> Any:
    try:
        value = json.loads(text or ("[]" if kind is list else "{}"))
    except ValueError as exc:
        raise _Unmappable(f"Its {name} are not valid JSON: {exc}") from exc
    if not isinstance(value, kind):
        raise _Unmappable(f"Its {name} must be a JSON {'array' if kind is list else 'object'}.")
    return value


def _schedule(row: PeriodicTask) -> dict[str, Any]:
    if row.crontab_id or row.interval_id or row.clocked_id:
        return schedule_spec(row)
    if row.solar_id:
        raise _Unmappable("Solar schedules (sunrise, sunset…) are not supported by Jobdesk.")
    raise _Unmappable("It has no schedule.")

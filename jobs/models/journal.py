"""Writing a job's timeline (JobLog) — who did what, from where."""

from __future__ import annotations

import logging
from typing import Any

from jobs.models.jobs import Job, JobLog


def describe_actor(user: Any, via: str) -> str:
    name = user.get_username() if getattr(user, "is_authenticated", False) else "code"
    return name if via == "code" else f"{name} via {via}"


def log_event(
    job: Job,
    event: str,
    message: str,
    *,
    level: int = logging.INFO,
    user: Any = None,
    via: str = "",
    attempt: int | None = None,
) -> JobLog:
    return JobLog.objects.create(
        job=job,
        event=event,
        message=message,
        level=level,
        attempt=job.attempts if attempt is None else attempt,
        user=user if getattr(user, "is_authenticated", False) else None,
        interface="" if via == "code" else via,
    )

"""Jobdesk: background jobs for Django, tracked in the database, run by RQ workers.

The public API, importable from ``jobs`` directly::

    from jobs import task, Backoff, schedule_job, JobStatus, PermanentFailure

Names are loaded on first use, so importing ``jobs`` (as settings and ``INSTALLED_APPS``
do) loads neither models nor Redis clients; the service functions need the app
registry ready, like any Django model code.
"""

from __future__ import annotations

import importlib
from typing import Any

_SERVICES = (
    "schedule_job", "schedule_jobs", "retry_job", "retry_jobs", "cancel_job", "cancel_jobs",
    "rerun_job", "delete_job", "delete_jobs", "get_job", "pause_queue", "resume_queue",
    "create_recurring_job", "update_recurring_job", "delete_recurring_job", "get_recurring_job",
    "trigger_recurring_job", "pause_recurring_job", "resume_recurring_job",
)  # fmt: skip
_ERRORS = (
    "JobsError", "NotFound", "Invalid", "Conflict", "Forbidden", "JobNotFound", "UnknownTask",
    "UnknownQueue", "InvalidArguments", "InvalidSchedule", "InvalidTransition", "PermanentFailure",
)  # fmt: skip

_WHERE: dict[str, str] = {
    "task": "jobs.core.registry",
    "Backoff": "jobs.core.registry",
    "JobStatus": "jobs.core.states",
    "Priority": "jobs.core.states",
    **dict.fromkeys(_SERVICES, "jobs.services"),
    **dict.fromkeys(_ERRORS, "jobs.exceptions"),
    **dict.fromkeys(("step", "chain", "group", "chord"), "jobs.core.workflows"),
    "declare_event": "jobs.core.events",
    "publish_event": "jobs.services.events",
    **dict.fromkeys(("schedule_workflow", "add_to_workflow"), "jobs.services.workflows"),
    "schedule_batch": "jobs.services.batches",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'jobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

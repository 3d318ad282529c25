"""Settings mistakes as Django system checks, so ``manage.py check`` (and every
``runserver``, ``migrate`` and worker start) names them before a job runs.

Each check reads the settings only: no database, no Redis. Runtime code still refuses
bad settings (``jobs.conf.get`` raises ``ImproperlyConfigured``); these checks say so
earlier and all at once, with an id to silence one if a project must.
"""

from __future__ import annotations

import importlib
import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from jobs import conf
from jobs.core.states import Priority

POSITIVE = (
    "SCHEDULER_INTERVAL", "HOUSEKEEPING_INTERVAL", "RECONCILE_INTERVAL", "JOB_MONITORING_INTERVAL",
    "WORKER_LOST_AFTER", "LOST_CHECK_INTERVAL", "PAUSE_POLL_INTERVAL", "DEFAULT_TIMEOUT",
    "MAX_PAYLOAD_BYTES", "RUNTIME_SAMPLE_SIZE", "RECURRING_RECONCILE_INTERVAL",
)  # fmt: skip
"""Settings that must be numbers above zero (a zero interval would spin a process)."""


@register(Tags.compatibility)
def check_jobs_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The ``JOBS`` setting, then everything that depends on it being readable."""
    try:
        jobs = conf.get()
    except (ImproperlyConfigured, TypeError, ValueError) as exc:
        return [Error(f"JOBS is invalid: {exc}", id="jobs.E001", obj="settings.JOBS")]
    return [
        *_check_numbers(jobs),
        *_check_rq_queues(jobs),
        *_check_priority_queues(jobs),
        *_check_task_modules(jobs),
        *_check_metrics_ips(jobs),
        *_check_log_format(jobs),
        *_check_worker_class(),
    ]


def _check_numbers(jobs: conf.JobsSettings) -> list[CheckMessage]:
    return [
        Error(f"JOBS[{name!r}] must be a number above 0, not {getattr(jobs, name)!r}.", id="jobs.E002")
        for name in POSITIVE
        if not isinstance(getattr(jobs, name), int | float)
        or isinstance(getattr(jobs, name), bool)
        or getattr(jobs, name) <= 0
    ]


def _check_rq_queues(jobs: conf.JobsSettings) -> list[CheckMessage]:
    rq_queues = getattr(settings, "RQ_QUEUES", {})
    missing = [name for name in jobs.QUEUES if name not in rq_queues]
    if not missing:
        return []
    return [
        Error(
            f"Queues {', '.join(missing)} are in JOBS['QUEUES'] but not in RQ_QUEUES, so no worker can "
            "take their jobs.",
            hint="Build RQ_QUEUES with jobs.conf.rq_settings(REDIS_URL, JOBS['QUEUES']).",
            id="jobs.E003",
        )
    ]


def _check_priority_queues(jobs: conf.JobsSettings) -> list[CheckMessage]:
    if jobs.PRIORITY_QUEUES is None:
        return []
    errors = []
    for priority, queue in dict(jobs.PRIORITY_QUEUES).items():
        if priority not in Priority.values:
            errors.append(
                Error(f"JOBS['PRIORITY_QUEUES'] names an unknown priority {priority!r}.", id="jobs.E004")
            )
        if queue not in jobs.QUEUES:
            errors.append(
                Error(
                    f"JOBS['PRIORITY_QUEUES'][{priority!r}] is {queue!r}, not a queue in JOBS['QUEUES'].",
                    id="jobs.E004",
                )
            )
    return errors


def _check_task_modules(jobs: conf.JobsSettings) -> list[CheckMessage]:
    errors = []
    for name in jobs.TASK_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            errors.append(
                Error(f"JOBS['TASK_MODULES'] lists {name!r}, which can't be imported: {exc}", id="jobs.E005")
            )
    return errors


def _check_metrics_ips(jobs: conf.JobsSettings) -> list[CheckMessage]:
    errors = []
    for entry in jobs.METRICS_ALLOWED_IPS:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            errors.append(Error(f"JOBS['METRICS_ALLOWED_IPS']: {exc}", id="jobs.E006"))
    return errors


def _check_log_format(jobs: conf.JobsSettings) -> list[CheckMessage]:
    if jobs.LOG_FORMAT in ("kv", "json"):
        return []
    return [Error(f"JOBS['LOG_FORMAT'] is 'kv' or 'json', not {jobs.LOG_FORMAT!r}.", id="jobs.E007")]


def _check_worker_class() -> list[CheckMessage]:
    path = getattr(settings, "RQ", {}).get("WORKER_CLASS")
    if not path:
        return [_worker_warning("RQ['WORKER_CLASS'] is not set, so rqworker runs RQ's own worker")]
    try:
        worker_class = import_string(path)
    except ImportError as exc:
        return [Error(f"RQ['WORKER_CLASS'] {path!r} can't be imported: {exc}", id="jobs.E008")]
    from jobs.engine.worker import Worker

    if not (isinstance(worker_class, type) and issubclass(worker_class, Worker)):
        return [_worker_warning(f"RQ['WORKER_CLASS'] {path!r} is not a Jobdesk worker")]
    return []


def _worker_warning(problem: str) -> CheckMessage:
    return Warning(
        f"{problem}: it ignores paused queues, the JSON-only rule and the heartbeat lease.",
        hint="Set RQ['WORKER_CLASS'] to 'jobs.engine.worker.Worker' (jobs.conf.rq_settings does).",
        id="jobs.W001",
    )


@register(Tags.compatibility)
def check_event_triggers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A task subscribed with ``on_event`` gets the payload's keys as keyword arguments, so
    a positional-only parameter without a default could never be filled (``jobs.E010``)."""
    import inspect

    from jobs.core.registry import all_tasks

    found = []
    for task in all_tasks():
        if not task.on_event:
            continue
        stuck = [
            p.name
            for p in task.signature.parameters.values()
            if p.kind is p.POSITIONAL_ONLY and p.default is inspect.Parameter.empty
        ]
        if stuck:
            found.append(
                Error(
                    f"Task {task.name} subscribes to {', '.join(task.on_event)} but its positional-only "
                    f"parameters {', '.join(stuck)} can't be filled from an event's payload.",
                    hint="Make them keyword parameters, or subscribe with an EventTrigger row and a mapping.",
                    id="jobs.E010",
                    obj=task.name,
                )
            )
    return found

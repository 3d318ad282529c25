"""Settings mistakes as Django system checks, so ``manage.py check`` (and every
``runserver``, ``migrate`` and worker start) names them before a job runs.

Each check reads the settings only: no database, no Redis. Runtime code still refuses
bad settings (``jobs.conf.get`` raises ``ImproperlyConfigured``); these checks say so
earlier and all at once, with an id to silence one if a project must.
"""

from __future__ import annotations

import importlib
import ipaddress
import sys
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from jobs import conf
from jobs.core import flow
from jobs.core.states import Priority
from jobs.exceptions import TaskConfigurationError

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
        *_check_worker_limits(jobs),
        *_check_command_line_worker_class(sys.argv),
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
    from jobs.engine.worker import JobdeskWorker

    if not (isinstance(worker_class, type) and issubclass(worker_class, JobdeskWorker)):
        return [_worker_warning(f"RQ['WORKER_CLASS'] {path!r} is not a Jobdesk worker")]
    return []


def _worker_warning(problem: str) -> CheckMessage:
    return Warning(
        f"{problem}: it ignores paused queues, the JSON-only rule and the heartbeat lease.",
        hint="Set RQ['WORKER_CLASS'] to 'jobs.engine.worker.Worker' (jobs.conf.rq_settings does).",
        id="jobs.W001",
    )


@register(Tags.urls)
def check_rq_pages_mounted(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admin's Queues page links django-rq's pages: unmounted, or hidden behind the
    admin's catch-all pattern, that page is a 500 or its links are 404s."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    hint = 'Add path("", include("jobs.urls")) before path("admin/", admin.site.urls) in the root URLconf.'
    try:
        url = reverse("django_rq:home")
    except NoReverseMatch:
        return [
            Error("django-rq's pages (namespace 'django_rq') are not mounted.", hint=hint, id="jobs.E018")
        ]
    try:
        namespaces = resolve(url).namespaces
    except Resolver404:
        namespaces = []
    if "django_rq" not in namespaces:
        message = f"{url} is answered by another pattern (the admin's catch-all?), not django-rq's pages."
        return [Error(message, hint=hint, id="jobs.E018")]
    return []


def _check_worker_limits(jobs: conf.JobsSettings) -> list[CheckMessage]:
    """Worker limits: concurrency at least 1, the others 0 (none) or more."""
    errors = []
    limits = (
        ("WORKER_CONCURRENCY", 1),
        ("WORKER_MAX_JOBS", 0),
        ("WORKER_MAX_MEMORY_MB", 0),
        ("WORKER_PREFETCH", 0),
    )
    for name, least in limits:
        value = getattr(jobs, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            errors.append(
                Error(f"JOBS[{name!r}] must be a whole number >= {least}, not {value!r}.", id="jobs.E131")
            )
    timeout = jobs.WORKER_SHUTDOWN_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        errors.append(
            Error(f"JOBS['WORKER_SHUTDOWN_TIMEOUT'] must be >= 0 seconds, not {timeout!r}.", id="jobs.E131")
        )
    return errors


def _command_line_worker_class(argv: list[str]) -> str | None:
    if "rqworker" not in argv[1:2]:
        return None
    for index, arg in enumerate(argv):
        if arg == "--worker-class" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--worker-class="):
            return arg.split("=", 1)[1]
    return None


def _check_command_line_worker_class(argv: list[str]) -> list[CheckMessage]:
    """``rqworker --worker-class X`` with a class that isn't Jobdesk's is refused at start.

    RQ's own classes read Jobdesk's JSON jobs with pickle unless told otherwise, so every
    job failed; told otherwise, they still ignore paused queues and leases.
    """
    path = _command_line_worker_class(argv)
    if path is None:
        return []
    from jobs.engine.worker import JobdeskWorker

    try:
        worker_class = import_string(path)
    except ImportError as exc:
        return [Error(f"--worker-class {path!r} can't be imported: {exc}", id="jobs.E132")]
    if isinstance(worker_class, type) and issubclass(worker_class, JobdeskWorker):
        return []
    return [
        Error(
            f"--worker-class {path!r} is not a Jobdesk worker: it would ignore paused queues, the "
            "JSON-only rule and the heartbeat lease (RQ's own classes fail every Jobdesk job).",
            hint=f"Use --worker-class {conf.FAST_WORKER_CLASS} for a worker that doesn't fork "
            "(or `manage.py jobs_worker --fast`), or leave it out for the forking "
            "jobs.engine.worker.Worker. --skip-checks runs a foreign class on purpose.",
            id="jobs.E132",
        )
    ]


@register(Tags.compatibility)
def check_worker_pools(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``JOBS['WORKER_POOLS']``: every mistake in a pool definition, before any worker starts."""
    from jobs.engine.fleet import pools

    try:
        jobs = conf.get()
    except (ImproperlyConfigured, TypeError, ValueError):
        return []  # jobs.E001 says so already
    errors = [Error(problem, id="jobs.E009", obj="settings.JOBS") for problem in pools.problems(jobs)]
    for raw in jobs.WORKER_POOLS if not errors else ():
        path = raw.get("worker_class", pools.DEFAULT_WORKER_CLASS)
        try:
            import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"Worker pool {raw['name']!r}: worker_class {path!r} can't be imported: {exc}",
                    id="jobs.E010",
                )
            )
    return errors


# Flow control (issue 15): queue limits and breakers in settings. Task options are
# refused by the @task decorator itself, so a bad one stops the import that declares it.
@register(Tags.compatibility)
def check_flow_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``JOBS["FLOW_QUEUES"]`` and ``JOBS["FLOW_BREAKERS"]``: limits above 0, known queues,
    rates with a duration, and breakers' ignored exceptions that exist."""
    try:
        jobs = conf.get()
    except (ImproperlyConfigured, TypeError, ValueError):
        return []  # check_jobs_settings reports it
    return [*_check_flow_queues(jobs), *_check_flow_breakers(jobs)]


def _check_flow_queues(jobs: conf.JobsSettings) -> list[CheckMessage]:
    errors = []
    for queue, limits in (jobs.FLOW_QUEUES or {}).items():
        where = f"JOBS['FLOW_QUEUES'][{queue!r}]"
        if queue not in jobs.QUEUES:
            errors.append(Error(f"{where}: {queue!r} is not in JOBS['QUEUES'].", id="jobs.E020"))
            continue
        unknown = set(limits or {}) - {"concurrency", "rate_limit"} if isinstance(limits, dict) else {"?"}
        if unknown:
            errors.append(Error(f"{where} takes 'concurrency' and 'rate_limit' only.", id="jobs.E021"))
            continue
        try:
            flow.check_limit(limits.get("concurrency"))
            flow.parse_rate(limits.get("rate_limit"))
        except TaskConfigurationError as exc:
            errors.append(Error(f"{where}: {exc}", id="jobs.E021"))
    return errors


def _check_flow_breakers(jobs: conf.JobsSettings) -> list[CheckMessage]:
    errors = []
    for name, options in (jobs.FLOW_BREAKERS or {}).items():
        where = f"JOBS['FLOW_BREAKERS'][{name!r}]"
        try:
            spec = flow.breaker_spec(name, options)
        except (TaskConfigurationError, TypeError) as exc:
            errors.append(Error(f"{where}: {exc}", id="jobs.E022"))
            continue
        for path in spec.ignore:
            try:
                cls = import_string(path)
            except ImportError as exc:
                errors.append(
                    Error(f"{where}: ignored exception {path!r} can't be imported: {exc}", id="jobs.E023")
                )
                continue
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                errors.append(Error(f"{where}: {path!r} is not an exception class.", id="jobs.E023"))
    return errors


@register(Tags.compatibility)
def check_event_triggers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A task subscribed with ``on_event`` gets the payload's keys as keyword arguments, so
    a positional-only parameter without a default could never be filled (``jobs.E030``)."""
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
                    id="jobs.E030",
                    obj=task.name,
                )
            )
    return found

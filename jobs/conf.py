"""Typed, lazy access to the ``JOBS`` setting.

Every knob lives in one dictionary so a host project overrides only what it needs;
reading it lazily keeps ``override_settings`` working in tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REDIS_PREFIX = "jobdesk:"
"""Every Redis key Jobdesk writes itself starts with this (RQ keeps its own ``rq:``)."""


@dataclass(frozen=True)
class JobsSettings:
    QUEUES: tuple[str, ...] = ("high", "normal", "low")
    DEFAULT_QUEUE: str = "normal"
    PRIORITY_QUEUES: dict[str, str] | None = None
    TASK_MODULES: tuple[str, ...] = ()
    DEFAULT_TIMEOUT: int = 600
    MAX_PAYLOAD_BYTES: int = 64 * 1024
    RUN_AT_PAST_TOLERANCE: float = 60.0
    RQ_RESULT_TTL: int = 600
    RQ_FAILURE_TTL: int = 7 * 24 * 3600
    SCHEDULER_INTERVAL: float = 0.5
    HOUSEKEEPING_INTERVAL: float = 5.0
    RECONCILE_INTERVAL: float = 30.0
    RECONCILE_GRACE: float = 10.0
    JOB_MONITORING_INTERVAL: int = 2
    WORKER_LOST_AFTER: float = 20.0
    LOST_CHECK_INTERVAL: float = 1.0
    PAUSE_POLL_INTERVAL: float = 0.5
    RUNTIME_SAMPLE_SIZE: int = 1000
    RECURRING_LOOKAHEAD: float = 0.0
    RECURRING_MISFIRE_GRACE: float = 60.0
    RECURRING_RECONCILE_INTERVAL: float = 60.0
    SUCCEEDED_RETENTION_DAYS: int = 7
    FAILED_RETENTION_DAYS: int = 30
    # Monitoring (jobs.monitoring: figures, health, alerts, prometheus, log_format).
    METRICS_ENABLED: bool = True
    METRICS_HISTORY_DAYS: int = 7
    METRICS_TOKEN: str = ""
    METRICS_ALLOWED_IPS: tuple[str, ...] = ()
    HEALTH_MIN_WORKERS: int = 1
    HEALTH_SCHEDULER_MAX_AGE: float = 30.0
    HEALTH_MAX_BACKLOG: int = 500
    ALERT_RULES: tuple[dict[str, Any], ...] | None = None
    ALERT_WEBHOOK_SECRET: str = ""
    ALERT_WEBHOOK_TIMEOUT: float = 5.0
    LOG_FORMAT: str = "kv"
    # Worker processes (jobs.engine.fastlane); a supervisor sets them through WORKER_ENV.
    WORKER_CONCURRENCY: int = 1
    WORKER_MAX_JOBS: int = 0
    WORKER_MAX_MEMORY_MB: int = 0
    WORKER_SHUTDOWN_TIMEOUT: float = 30.0
    WORKER_MAX_JOB_TIME: float = 0
    WORKER_POOL: str = ""
    WORKER_PREFETCH: int = 0
    """Jobs a fast worker may take ahead of a free slot (jobs.engine.fastlane.prefetch)."""
    # The worker fleet (jobs.engine.fleet): pools run by ``manage.py jobs_workers``.
    WORKER_POOLS: tuple[dict[str, Any], ...] = ()
    WORKERS_ALERT_GRACE: float = 30.0
    """Seconds "fewer than N healthy workers" must last before it fires (start, rolling deploys)."""
    # Flow control (jobs.core.flow, jobs.engine.flow): per-queue limits, and how often
    # a job waiting on a limit looks again if no finishing job wakes it first.
    FLOW_QUEUES: dict[str, dict[str, Any]] | None = None
    FLOW_RECHECK_INTERVAL: float = 5.0
    FLOW_BREAKERS: dict[str, dict[str, Any]] | None = None

    @property
    def priority_queues(self) -> dict[str, str]:
        """Which queue a job goes to when only its priority is given."""
        if self.PRIORITY_QUEUES is not None:
            return dict(self.PRIORITY_QUEUES)
        names = set(self.QUEUES)
        high = "high" if "high" in names else self.DEFAULT_QUEUE
        low = "low" if "low" in names else self.DEFAULT_QUEUE
        return {"urgent": high, "high": high, "normal": self.DEFAULT_QUEUE, "low": low}


_cached: tuple[object, JobsSettings] | None = None


def get() -> JobsSettings:
    """Return the current ``JOBS`` settings, validated.

    Validated once per settings object: the worker calls this for every job, and
    ``override_settings`` replaces the object, which invalidates the cache.
    """
    global _cached
    current = getattr(settings, "JOBS", None)
    if _cached is not None and _cached[0] is current:
        return _cached[1]
    conf = _validate(dict(current or {}))
    _cached = (current, conf)
    return conf


WORKER_ENV = {
    "WORKER_CONCURRENCY": ("JOBDESK_WORKER_CONCURRENCY", int),
    "WORKER_MAX_JOBS": ("JOBDESK_WORKER_MAX_JOBS", int),
    "WORKER_MAX_MEMORY_MB": ("JOBDESK_WORKER_MAX_MEMORY_MB", int),
    "WORKER_SHUTDOWN_TIMEOUT": ("JOBDESK_WORKER_SHUTDOWN_TIMEOUT", float),
    "WORKER_MAX_JOB_TIME": ("JOBDESK_WORKER_MAX_JOB_TIME", float),
    "WORKER_POOL": ("JOBDESK_WORKER_POOL", str),
    "WORKER_PREFETCH": ("JOBDESK_WORKER_PREFETCH", int),
}
"""Environment variables that override a worker setting, for one process (0 = no limit)."""

FAST_WORKER_CLASS = "jobs.engine.fastlane.worker.FastWorker"
"""The non-forking worker class (``rqworker --worker-class …`` or ``jobs_worker --fast``)."""


def _from_environment(raw: dict[str, Any]) -> None:
    for name, (variable, kind) in WORKER_ENV.items():
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        try:
            raw[name] = kind(value)
        except ValueError as exc:
            what = {int: "a whole number", float: "a number"}.get(kind, kind.__name__)
            raise ImproperlyConfigured(f"{variable}={value!r} is not {what}") from exc


def reload() -> JobsSettings:
    """Read the settings again (``JOBDESK_WORKER_*`` set in this process since they were read)."""
    global _cached
    _cached = None
    return get()


def _validate(raw: dict[str, Any]) -> JobsSettings:
    _from_environment(raw)
    known = {f.name for f in fields(JobsSettings)}
    unknown = set(raw) - known
    if unknown:
        raise ImproperlyConfigured(f"Unknown JOBS settings: {', '.join(sorted(unknown))}")
    for key in ("QUEUES", "TASK_MODULES", "WORKER_POOLS"):
        if key in raw:
            raw[key] = tuple(raw[key])
    conf = JobsSettings(**raw)
    if conf.DEFAULT_QUEUE not in conf.QUEUES:
        raise ImproperlyConfigured(f"JOBS['DEFAULT_QUEUE'] {conf.DEFAULT_QUEUE!r} is not in JOBS['QUEUES']")
    return conf


def rq_settings(redis_url: str, queues: list[str] | tuple[str, ...]) -> tuple[dict, dict]:
    """Build django-rq's ``RQ_QUEUES`` and ``RQ`` settings for Jobdesk's queues.

    All queues share one Redis. A ``default`` entry is added because django-rq's
    ``rqscheduler`` command looks that name up for its home queue; Jobdesk never puts a
    job there (every job names its own queue). JSON is the serializer everywhere so no
    process ever unpickles what it reads from Redis.
    """
    queue_config = {"URL": redis_url, "SERIALIZER": "rq.serializers.JSONSerializer"}
    rq_queues = {name: dict(queue_config) for name in [*queues, "default"]}
    rq = {
        "WORKER_CLASS": "jobs.engine.worker.Worker",
        "SCHEDULER_CLASS": "jobs.engine.scheduler.Scheduler",
        "JOB_CLASS": "jobs.engine.broker.JSONJob",
        "COMMIT_MODE": "auto",
    }
    return rq_queues, rq

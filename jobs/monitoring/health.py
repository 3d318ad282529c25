"""Is the job system able to do its work right now? One answer for every surface.

``python manage.py jobs_health`` and ``GET /api/health/`` both call :func:`run_checks`.
The checks are what an on-call engineer looks at first: the database answers, Redis
answers, every queue has at least ``JOBS['HEALTH_MIN_WORKERS']`` live workers, the
scheduler process beat within ``JOBS['HEALTH_SCHEDULER_MAX_AGE']`` seconds, and no queue
holds more than ``JOBS['HEALTH_MAX_BACKLOG']`` waiting jobs; and, for information, how many
entries were set aside as poison (:mod:`jobs.engine.poison`). Every check is cheap and
bounded (Redis with short timeouts), so a load balancer may call it often.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from jobs import conf
from jobs.engine import broker, poison
from jobs.engine.worker_registry import alive_count, list_workers
from jobs.monitoring import counters

if TYPE_CHECKING:
    from redis import Redis

REDIS_TIMEOUT = 2.0
NEED_REDIS = ("workers", "scheduler", "backlog", "poison")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class HealthReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [check.as_dict() for check in self.checks]}


def _short_timeout_redis() -> Redis:
    return broker.short_timeout_connection(REDIS_TIMEOUT)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, f"unreachable: {exc}")
    return Check("database", True, f"{connection.vendor} answers")


def check_redis(redis: Redis) -> Check:
    try:
        redis.ping()
    except Exception as exc:
        return Check("redis", False, f"unreachable: {exc}")
    return Check("redis", True, "answers")


def check_workers(redis: Redis, now: datetime) -> Check:
    minimum = conf.get().HEALTH_MIN_WORKERS
    workers = list_workers(redis, now)
    counts = {name: alive_count(workers, name) for name in conf.get().QUEUES}
    short = [f"{name} has {count}" for name, count in counts.items() if count < minimum]
    summary = ", ".join(f"{name}={count}" for name, count in counts.items())
    if short:
        return Check("workers", False, f"fewer than {minimum} live worker(s): {'; '.join(short)}")
    return Check("workers", True, f"live workers per queue: {summary}")


def check_scheduler(redis: Redis, now: datetime) -> Check:
    max_age = conf.get().HEALTH_SCHEDULER_MAX_AGE
    beat = counters.scheduler_heartbeat(redis)
    if beat is None:
        return Check("scheduler", False, "no heartbeat: is `manage.py rqscheduler` running?")
    age = (now - beat).total_seconds()
    if age > max_age:
        return Check("scheduler", False, f"last heartbeat {age:.0f} s ago (limit {max_age:.0f} s)")
    return Check("scheduler", True, f"last heartbeat {max(age, 0):.0f} s ago")


def check_backlog(redis: Redis) -> Check:
    limit = conf.get().HEALTH_MAX_BACKLOG
    depths = {name: broker.queue(name, redis).count for name in conf.get().QUEUES}
    over = [f"{name} has {depth}" for name, depth in depths.items() if depth > limit]
    if over:
        return Check("backlog", False, f"over {limit} waiting: {'; '.join(over)}")
    return Check("backlog", True, "waiting: " + ", ".join(f"{n}={d}" for n, d in depths.items()))


def check_poison(redis: Redis) -> Check:
    """Entries set aside as undecodable or not Jobdesk's (:mod:`jobs.engine.poison`).

    Reported, never failing: a planted entry is for a person to look at, not a reason
    for a load balancer to take the site out of service.
    """
    count = poison.count(redis)
    if not count:
        return Check("poison", True, "no entry set aside")
    entries = "1 entry" if count == 1 else f"{count} entries"
    return Check("poison", True, f"{entries} set aside in {poison.POISON_KEY}")


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:
        return Check(name, False, f"could not check: {exc}")


def run_checks(now: datetime | None = None, redis: Redis | None = None) -> HealthReport:
    """Run every check; a check that can't run (Redis down) reports failure, never raises."""
    now = now or timezone.now()
    checks = [check_database()]
    redis = redis or _short_timeout_redis()
    redis_check = check_redis(redis)
    checks.append(redis_check)
    if not redis_check.ok:
        checks += [Check(name, False, "Redis is unreachable") for name in NEED_REDIS]
        return HealthReport(checks)
    checks.append(_guarded("workers", lambda: check_workers(redis, now)))
    checks.append(_guarded("scheduler", lambda: check_scheduler(redis, now)))
    checks.append(_guarded("backlog", lambda: check_backlog(redis)))
    checks.append(_guarded("poison", lambda: check_poison(redis)))
    return HealthReport(checks)

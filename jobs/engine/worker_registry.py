"""A read-only view of the RQ workers, for the admin, the APIs and the dashboard.

Read from RQ's own worker registry and heartbeats; nothing here cleans registries or
runs callbacks, so looking at workers never changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone as dj_timezone
from redis import Redis
from rq import Worker as RQWorker

from jobs import conf
from jobs.engine import broker


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    hostname: str
    pid: int | None
    queues: tuple[str, ...]
    state: str
    current_job_id: str | None
    birth: datetime | None
    last_heartbeat: datetime | None
    successful_jobs: int
    failed_jobs: int
    total_working_time: float
    lost: bool

    @property
    def heartbeat_age(self) -> float | None:
        if self.last_heartbeat is None:
            return None
        return (dj_timezone.now() - self.last_heartbeat).total_seconds()


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def list_workers(redis: Redis | None = None, now: datetime | None = None) -> list[WorkerInfo]:
    """Every worker RQ knows, with ``lost`` set when its heartbeat is stale."""
    now = now or dj_timezone.now()
    lost_after = conf.get().WORKER_LOST_AFTER
    infos = []
    for worker in RQWorker.all(connection=redis or broker.connection()):
        heartbeat = _aware(worker.last_heartbeat)
        infos.append(
            WorkerInfo(
                name=worker.name,
                hostname=worker.hostname or "",
                pid=worker.pid,
                queues=tuple(worker.queue_names()),
                state=str(worker.get_state()),
                current_job_id=worker.get_current_job_id(),
                birth=_aware(worker.birth_date),
                last_heartbeat=heartbeat,
                successful_jobs=worker.successful_job_count or 0,
                failed_jobs=worker.failed_job_count or 0,
                total_working_time=float(worker.total_working_time or 0),
                lost=heartbeat is None or (now - heartbeat).total_seconds() > lost_after,
            )
        )
    return sorted(infos, key=lambda info: (info.hostname, info.name))


def alive_count(workers: list[WorkerInfo], queue: str | None = None) -> int:
    """How many workers heart-beat recently (and listen on ``queue``, if given)."""
    return sum(1 for w in workers if not w.lost and (queue is None or queue in w.queues))

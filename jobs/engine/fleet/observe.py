"""What the supervisor measures: backlogs, worker heartbeats and states, memory.

One Redis round trip per tick for every pool's queues and workers; memory comes from
``/proc`` (Linux), the worker's and its work-horse's together.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis
from rq.queue import Queue
from rq.utils import utcparse
from rq.worker import Worker as RQWorker

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024) if hasattr(os, "sysconf") else 4096 / (1024 * 1024)


@dataclass(frozen=True)
class Beat:
    """A worker's registration in Redis as the supervisor last read it."""

    state: str | None
    heartbeat: datetime | None

    @property
    def busy(self) -> bool:
        return self.state == "busy"

    def age(self, now: datetime) -> float | None:
        return None if self.heartbeat is None else (now - self.heartbeat).total_seconds()


def backlogs(redis: Redis, queues: Iterable[str]) -> dict[str, int]:
    """Jobs waiting in each queue (RQ's list length)."""
    names = sorted(set(queues))
    with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.llen(Queue.redis_queue_namespace_prefix + name)
        return dict(zip(names, pipe.execute(), strict=True))


def beats(redis: Redis, names: Sequence[str]) -> dict[str, Beat]:
    """Each worker's state and last heartbeat, as RQ's worker hash holds them."""
    with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.hmget(RQWorker.redis_worker_namespace_prefix + name, "state", "last_heartbeat")
        replies = pipe.execute()
    return {name: _beat(state, heartbeat) for name, (state, heartbeat) in zip(names, replies, strict=True)}


def _beat(state: bytes | None, heartbeat: bytes | None) -> Beat:
    when = utcparse(heartbeat.decode()).replace(tzinfo=UTC) if heartbeat else None
    return Beat(state.decode() if state else None, when)


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (a worker's work-horse), from ``/proc``."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def memory_mb(pid: int) -> float | None:
    """Resident memory of a process and its children, in MB; None where ``/proc`` isn't."""
    total = 0.0
    for each in [pid, *children(pid)]:
        try:
            resident = int(Path(f"/proc/{each}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            if each == pid:
                return None
            continue
        total += resident * PAGE_MB
    return round(total, 1)

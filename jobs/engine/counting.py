"""Where the counters of finished attempts go: a pipeline per attempt, or a batch per process.

By default each finished attempt adds its counts to Redis in one pipeline of its own
(:mod:`jobs.monitoring.counters`). A worker that finishes many jobs a second calls
:func:`batch` once: from then on this process sums the counts of every attempt in memory
(one ``HINCRBY`` per counter whatever the number of jobs, one ``LPUSH`` of all new
run-time samples per list) and :func:`send` writes the sums in one pipeline; the fast
lane's monitor thread sends every tick (50 ms). Counters are figures, not job state: a
worker killed between two sends loses at most that tick's counts, never a job or an
outcome.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from redis import Redis


class Sums:
    """The counting commands a pipeline takes, summed in memory until :meth:`send`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._increments: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._pushed: defaultdict[str, list[Any]] = defaultdict(list)
        self._trims: dict[str, tuple[int, int]] = {}

    def hincrby(self, key: str, field: str, amount: int = 1) -> None:
        with self._lock:
            self._increments[key, field] += amount

    def lpush(self, key: str, *values: Any) -> None:
        with self._lock:
            self._pushed[key].extend(values)

    def ltrim(self, key: str, start: int, end: int) -> None:
        with self._lock:
            self._trims[key] = (start, end)

    def send(self, redis: Redis) -> None:
        """Write what was summed since the last send, in one pipeline."""
        with self._lock:
            increments, pushed, trims = self._increments, self._pushed, self._trims
            self._increments, self._pushed, self._trims = defaultdict(int), defaultdict(list), {}
        if not increments and not pushed:
            return
        with redis.pipeline(transaction=False) as pipe:
            for (key, field), amount in increments.items():
                pipe.hincrby(key, field, amount)
            for key, values in pushed.items():
                pipe.lpush(key, *values)
            for key, (start, end) in trims.items():
                pipe.ltrim(key, start, end)
            pipe.execute()


_batch: Sums | None = None


def batch() -> None:
    """From now on, sum this process's counts until :func:`send` (see the module doc)."""
    global _batch
    if _batch is None:
        _batch = Sums()


def send(redis: Redis) -> None:
    if _batch is not None:
        _batch.send(redis)


def stop_batching(redis: Redis) -> None:
    """Send what is summed and go back to a pipeline per attempt (the worker stops)."""
    global _batch
    batch, _batch = _batch, None
    if batch is not None:
        batch.send(redis)


@contextlib.contextmanager
def sink(redis: Redis) -> Iterator[Any]:
    """What one attempt's counts are written to: the process's batch, or a pipeline sent on exit."""
    if _batch is not None:
        yield _batch
        return
    with redis.pipeline(transaction=False) as pipe:
        yield pipe
        pipe.execute()

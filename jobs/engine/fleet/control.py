"""Operators' requests to the supervisors, through Redis: resize a pool, stop one worker.

Supervisors run on other hosts than the web process, so a request is a key they read
every tick rather than a call. A resize *pins* the pool's size on every host that runs
it (autoscaling pauses for it) until it is released; a stop request names one worker,
on its host, which is then retired gracefully like any other.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis

from jobs.conf import REDIS_PREFIX
from jobs.engine import broker

PIN_KEY = REDIS_PREFIX + "fleet:pin:{pool}"
STOP_KEY = REDIS_PREFIX + "fleet:stop:{host}"


def pin(pool: str, workers: int | None, redis: Redis | None = None) -> None:
    """Pin ``pool`` to ``workers`` units per host; None gives it back to autoscaling."""
    redis = redis or broker.connection()
    if workers is None:
        redis.delete(PIN_KEY.format(pool=pool))
    else:
        redis.set(PIN_KEY.format(pool=pool), int(workers))


def pins(redis: Redis, pools: Sequence[str]) -> dict[str, int]:
    """The pinned sizes of ``pools`` (those not pinned are absent)."""
    if not pools:
        return {}
    values = redis.mget([PIN_KEY.format(pool=pool) for pool in pools])
    return {pool: int(value) for pool, value in zip(pools, values, strict=True) if value is not None}


def request_stop(host: str, worker: str, redis: Redis | None = None) -> None:
    """Ask the supervisor on ``host`` to shut ``worker`` down gracefully."""
    (redis or broker.connection()).sadd(STOP_KEY.format(host=host), worker)


def stop_requests(redis: Redis, host: str) -> list[str]:
    """The workers asked to stop on ``host``, taken (each request is read once)."""
    key = STOP_KEY.format(host=host)
    with redis.pipeline() as pipe:
        pipe.smembers(key)
        pipe.delete(key)
        names, _ = pipe.execute()
    return sorted(name.decode() for name in names)


def pins_for(pools: Sequence[str], redis: Redis | None = None) -> dict[str, int]:
    """The pinned sizes of ``pools``, for the pages (any host)."""
    return pins(redis or broker.connection(), pools)

"""What flow control looks like now, for pages, APIs and metrics (reads only)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from jobs import conf
from jobs.core import flow
from jobs.core.registry import all_tasks, get_task
from jobs.engine import broker
from jobs.engine.flow import breakers, keys, scopes

SCOPE_CAP = 200
"""At most this many keyed scopes of one task are listed (a million tenants stay cheap)."""


@dataclass(frozen=True)
class ScopeUsage:
    """One scope's limits and how much of them is taken, held back, and left."""

    scope: str
    concurrency: int | None
    in_use: int
    waiting: int
    rate: str | None
    budget: int | None
    window_opens_in: float | None
    held_total: int
    rate_limited_total: int


def usage(
    scope: str, concurrency: int | None, rate: flow.Rate | None, now: float | None = None
) -> ScopeUsage:
    """One pipeline: slots taken, jobs held, starts left in the window and when one frees."""
    now = now or time.time()
    since = now - rate.duration if rate else now
    redis = broker.connection()
    with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(keys.slots(scope))
        pipe.zcard(keys.waiting(scope))
        pipe.zcount(keys.rate_held(scope), now - 600, "+inf")
        pipe.zcount(keys.starts(scope), since, "+inf")
        pipe.zrangebyscore(keys.starts(scope), since, "+inf", 0, 1, withscores=True)
        pipe.hget(keys.HELD, scope)
        pipe.hget(keys.RATE_LIMITED, scope)
        in_use, held, rate_held, used, oldest, held_total, limited_total = pipe.execute()
    opens_in = None
    if rate and used >= rate.max and oldest:
        opens_in = max(0.0, oldest[0][1] + rate.duration - now)
    return ScopeUsage(
        scope=scope,
        concurrency=concurrency,
        in_use=int(in_use),
        waiting=int(held) + int(rate_held),
        rate=str(rate) if rate else None,
        budget=max(0, rate.max - int(used)) if rate else None,
        window_opens_in=opens_in,
        held_total=int(held_total or 0),
        rate_limited_total=int(limited_total or 0),
    )


def keyed_scopes(prefix: str) -> list[str]:
    """Scopes that admitted a job and start with ``prefix`` (a keyed task's tenants)."""
    found = []
    for raw, _ in broker.connection().hscan_iter(keys.SCOPES, match=f"{prefix}*", count=500):
        found.append(raw.decode())
        if len(found) >= SCOPE_CAP:
            break
    return sorted(found)


def task_usage(task_name: str) -> list[ScopeUsage]:
    """The task's scope, or each of its keyed scopes seen so far."""
    task = get_task(task_name)
    concurrency, rate = scopes.task_limits(task)
    if not (concurrency or rate):
        return []
    if not task.concurrency_key:
        return [usage(flow.task_scope(task.name), concurrency, rate)]
    keyed = keyed_scopes(flow.task_scope(task.name) + ":")
    return [usage(scope, concurrency, rate) for scope in keyed]


def queue_usage(queue: str) -> ScopeUsage | None:
    concurrency, rate = scopes.queue_limits(queue)
    if not concurrency and not rate:
        return None
    return usage(flow.queue_scope(queue), concurrency, rate)


def all_breakers() -> list[breakers.BreakerState]:
    return [breakers.state(name) for name in breakers.known()]


@dataclass(frozen=True)
class Overview:
    scopes: list[ScopeUsage]
    breakers: list[breakers.BreakerState]


def overview() -> Overview:
    """Every limited scope (each task's, each keyed one seen, each queue's) and breaker."""
    found = []
    for task in all_tasks():
        if any(scopes.task_limits(task)):
            found.extend(task_usage(task.name))
    for queue in conf.get().QUEUES:
        usage_now = queue_usage(queue)
        if usage_now:
            found.append(usage_now)
    return Overview(found, all_breakers())

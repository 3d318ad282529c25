"""Circuit breakers in Redis: closed, open until a time, half-open with one probe.

State per breaker is one hash (``state``, ``until``, ``opened_at``, ``probe``,
``forced``) beside a sorted set of recent counted failures; every transition is one
script, so many workers can't both take the probe or both open it. Jobs held by an open
breaker wait like any held job (:mod:`jobs.engine.flow.waiting`) and are all woken when
it closes. Opening and closing are written on the timelines of the job that tripped or
closed it and of the jobs it held, sent as signals, and seen by the ``breaker_open``
alert rules.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from django.utils.module_loading import import_string

from jobs import conf, signals
from jobs.core import flow
from jobs.core.registry import all_tasks, get_task
from jobs.engine import broker
from jobs.engine.flow import keys, scopes
from jobs.engine.flow.slots import Refusal, script
from jobs.exceptions import UnknownTask
from jobs.models import Job, JobLog

logger = logging.getLogger("jobs.flow")

STATE, FAILURES, HELD, NAMES = keys.BREAKER, keys.BREAKER_FAILURES, keys.BREAKER_HELD, keys.BREAKERS
FOREVER = flow.FOREVER
TIMELINE_CAP = 1000
"""At most this many held jobs get a line on their timeline when a breaker closes."""

CHECK = """
local now, job = tonumber(ARGV[1]), ARGV[2]
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'closed' then return {'ok', '0'} end
local till = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if state == 'open' then
  if redis.call('HGET', KEYS[1], 'forced') == '1' or now < till then return {'open', tostring(till)} end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe', job, 'probe_at', ARGV[1])
  return {'ok', '1'}
end
if redis.call('HGET', KEYS[1], 'probe') == job then return {'ok', '1'} end
local probe_at = tonumber(redis.call('HGET', KEYS[1], 'probe_at') or '0')
if now - probe_at > tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'probe', job, 'probe_at', ARGV[1])
  return {'ok', '1'}
end
return {'open', tostring(probe_at + tonumber(ARGV[3]))}
"""

RECORD = """
local now, job, ok = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local threshold, window, recovery = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local probing = state == 'half_open' and redis.call('HGET', KEYS[1], 'probe') == job
if ok == '1' then
  if probing then redis.call('DEL', KEYS[1], KEYS[2]) return 'closed' end
  return ''
end
if probing then
  redis.call('HSET', KEYS[1], 'state', 'open', 'until', now + recovery, 'opened_at', ARGV[1])
  redis.call('HDEL', KEYS[1], 'probe')
  return 'reopened'
end
if state ~= 'closed' then return '' end
redis.call('ZADD', KEYS[2], now, job .. ':' .. ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('PEXPIRE', KEYS[2], math.ceil(window * 1000))
if redis.call('ZCARD', KEYS[2]) >= threshold then
  redis.call('HSET', KEYS[1], 'state', 'open', 'until', now + recovery, 'opened_at', ARGV[1])
  return 'opened'
end
return ''
"""


@dataclass(frozen=True)
class BreakerState:
    name: str
    state: str
    until: float | None
    opened_at: float | None
    failures: int
    forced: bool


def spec(name: str) -> flow.BreakerSpec:
    """The settings in force, read like every limit: an override at most a second old wins."""
    return scopes.breaker_spec(name)


def breaker_of(task_name: str) -> str | None:
    try:
        return get_task(task_name).breaker
    except UnknownTask:
        return None


def check(name: str, job_id: str, created_at: float, now: float) -> Refusal | None:
    """None if the breaker lets the job start (closed, or it is the probe), else why not."""
    redis = broker.connection()
    stale = max(spec(name).recovery, conf.get().WORKER_LOST_AFTER)
    state, until = script(redis, CHECK)(keys=[STATE.format(name=name)], args=[repr(now), job_id, stale])
    if state.decode() == "ok":
        return None
    redis.zadd(HELD.format(name=name), {job_id: created_at})
    return Refusal("breaker", name, 0, float(until))


def record(job: Job, ok: bool, failure: str, now: float | None = None) -> None:
    """Count the attempt's outcome for its task's breaker, opening or closing it."""
    name = breaker_of(job.task)
    if name is None:
        return
    breaker = spec(name)
    counted = not ok and not _ignored(breaker.ignore, failure)
    now = now or time.time()
    args = [
        repr(now),
        str(job.pk),
        "0" if counted else "1",
        breaker.threshold,
        breaker.window,
        breaker.recovery,
    ]
    redis = broker.connection()
    redis.sadd(NAMES, name)
    change = script(redis, RECORD)(keys=[STATE.format(name=name), FAILURES.format(name=name)], args=args)
    if change in (b"opened", b"reopened"):
        why = f"after {breaker.threshold} failures within {breaker.window:g} s (the last: {failure})"
        if change == b"reopened":
            why = f"again: its probe failed ({failure})"
        opened(name, now + breaker.recovery, job, why)
    elif change == b"closed":
        closed(name, job, "its probe job succeeded")


def opened(name: str, until: float, job: Job | None, why: str) -> None:
    at = datetime.fromtimestamp(min(until, FOREVER), tz=UTC)
    later = "." if until >= FOREVER else f" until {at:%H:%M:%S} UTC."
    message = f"Breaker {name} opened {why}; its jobs wait{later}"
    if job is not None:
        JobLog.objects.create(job=job, event=JobLog.Event.LOG, level=logging.WARNING, message=message)
    logger.warning("breaker=%s event=opened until=%s %s", name, at.isoformat(), why)
    signals.send(signals.breaker_opened, name=name, until=at, reason=why)


def closed(name: str, job: Job | None, why: str) -> None:
    """Wake every job the breaker held and say so on their timelines."""
    redis = broker.connection()
    held = [raw.decode() for raw in redis.zrange(HELD.format(name=name), 0, -1)]
    now = time.time()
    with redis.pipeline() as pipe:
        for job_id in held:
            pipe.zadd(broker.SCHEDULED_JOBS_KEY, {job_id: now}, xx=True)
        pipe.delete(HELD.format(name=name))
        pipe.execute()
    message = f"Breaker {name} closed: {why}."
    told = list(Job.objects.filter(pk__in=held[:TIMELINE_CAP]).values_list("pk", flat=True))
    if job is not None:
        told.append(job.pk)
    JobLog.objects.bulk_create(JobLog(job_id=pk, event=JobLog.Event.LOG, message=message) for pk in told)
    logger.info("breaker=%s event=closed woke=%d %s", name, len(held), why)
    signals.send(signals.breaker_closed, name=name, reason=why)


def force(name: str, open_: bool, by: str = "") -> None:
    """An operator (``by``: who, from where) opens a breaker until closed again, or closes it now."""
    redis = broker.connection()
    key = STATE.format(name=name)
    redis.sadd(NAMES, name)
    who = f" by {by}" if by else ""
    if open_:
        redis.hset(key, mapping={"state": "open", "until": FOREVER, "opened_at": time.time(), "forced": 1})
        opened(name, FOREVER, None, f"by hand{who}")
    else:
        redis.delete(key, FAILURES.format(name=name))
        closed(name, None, f"closed by hand{who}")


def state(name: str) -> BreakerState:
    redis = broker.connection()
    raw = {k.decode(): v.decode() for k, v in redis.hgetall(STATE.format(name=name)).items()}
    failures = redis.zcount(FAILURES.format(name=name), time.time() - spec(name).window, "+inf")
    return BreakerState(
        name=name,
        state=raw.get("state", "closed"),
        until=float(raw["until"]) if "until" in raw else None,
        opened_at=float(raw["opened_at"]) if "opened_at" in raw else None,
        failures=int(failures),
        forced=raw.get("forced") == "1",
    )


def known() -> list[str]:
    """Every breaker named by a task, in settings, or ever used."""
    names = flow.breaker_names(all_tasks(), conf.get().FLOW_BREAKERS)
    names |= {raw.decode() for raw in broker.connection().smembers(NAMES)}
    return sorted(names)


@cache
def _ignored_names(paths: tuple[str, ...]) -> frozenset[str]:
    """The qualified names of the ignored classes and every subclass loaded so far."""
    names: set[str] = set()
    pending = [import_string(path) for path in paths]
    while pending:
        cls = pending.pop()
        names |= {cls.__qualname__, f"{cls.__module__}.{cls.__qualname__}"}
        pending.extend(cls.__subclasses__())
    return frozenset(names)


def _ignored(paths: tuple[str, ...], failure: str) -> bool:
    return bool(paths) and failure in _ignored_names(paths)

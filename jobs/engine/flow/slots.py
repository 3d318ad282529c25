"""Concurrency slots and rate windows in Redis: take them all or none, in one script.

Modelled on RQ 3's ``RateLimit`` (an "allowed" sorted set beside a "held" one, and a
release that promotes the oldest held job in the same script), but decided at claim
time, not enqueue time, so a limit changed later applies to jobs already queued, and
keyed per scope. A slot is a lease: :mod:`jobs.engine.flow.leases` evicts holders whose
attempt stopped renewing its lease in the database, so a dead worker's slot frees
within ``JOBS["WORKER_LOST_AFTER"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from rq import Queue
from rq.job import Job as RQJob

from jobs.engine import broker
from jobs.engine.flow import keys
from jobs.engine.flow.scopes import Limits

ADMIT = """
local now, job, n, m, order = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local a = 6
for i = 1, n do
  local slots, held = KEYS[2*i-1], KEYS[2*i]
  local limit, scope = tonumber(ARGV[a + 2*(i-1)]), ARGV[a + 2*(i-1) + 1]
  if not redis.call('ZSCORE', slots, job) and redis.call('ZCARD', slots) >= limit then
    redis.call('ZADD', held, order, job)
    redis.call('HINCRBY', KEYS[#KEYS], scope, 1)
    return {'concurrency', scope, redis.call('ZRANK', held, job), 0}
  end
end
local b = a + 2*n
for j = 1, m do
  local starts, held = KEYS[2*n + 2*j - 1], KEYS[2*n + 2*j]
  local c = b + 3*(j-1)
  local max, duration, scope = tonumber(ARGV[c]), tonumber(ARGV[c + 1]), ARGV[c + 2]
  redis.call('ZREMRANGEBYSCORE', starts, '-inf', now - duration)
  if redis.call('ZCARD', starts) >= max then
    redis.call('ZREMRANGEBYSCORE', held, '-inf', now - 600 - duration)
    redis.call('ZADD', held, now, job)
    redis.call('HINCRBY', KEYS[#KEYS - 1], scope, 1)
    local oldest = redis.call('ZRANGE', starts, 0, 0, 'WITHSCORES')
    return {'rate', scope, redis.call('ZRANK', held, job), oldest[2]}
  end
end
for i = 1, n do
  redis.call('ZADD', KEYS[2*i-1], now, job)
  redis.call('ZREM', KEYS[2*i], job)
  redis.call('HSET', KEYS[#KEYS - 2], ARGV[a + 2*(i-1) + 1], now)
end
for j = 1, m do
  local starts, duration = KEYS[2*n + 2*j - 1], tonumber(ARGV[b + 3*(j-1) + 1])
  redis.call('ZADD', starts, now, job .. ':' .. ARGV[1])
  redis.call('PEXPIRE', starts, math.ceil(duration * 1000) + 1000)
  redis.call('ZREM', KEYS[2*n + 2*j], job)
  redis.call('HSET', KEYS[#KEYS - 2], ARGV[b + 3*(j-1) + 2], now)
end
redis.call('DEL', KEYS[#KEYS - 3])
return {'ok'}
"""

RELEASE = """
local job, n, queue_prefix, job_prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local promoted = {}
for i = 1, n do
  local slots, held = KEYS[2*i], KEYS[2*i+1]
  redis.call('ZREM', slots, job)
  local free = tonumber(ARGV[4 + i]) - redis.call('ZCARD', slots)
  while free > 0 do
    local popped = redis.call('ZPOPMIN', held)
    if #popped == 0 then break end
    local id = popped[1]
    if redis.call('ZSCORE', KEYS[1], id) then
      local fields = redis.call('HMGET', job_prefix .. id, 'origin', 'enqueue_at_front')
      if fields[1] then
        redis.call('ZREM', KEYS[1], id)
        if fields[2] == '1' then
          redis.call('LPUSH', queue_prefix .. fields[1], id)
        else
          redis.call('RPUSH', queue_prefix .. fields[1], id)
        end
        redis.call('HSET', job_prefix .. id, 'status', 'queued')
        redis.call('PERSIST', job_prefix .. id)
        table.insert(promoted, id)
        free = 0
      end
    end
  end
end
return promoted
"""


@dataclass(frozen=True)
class Refusal:
    """Why a job may not start yet: the limit's kind and scope, its place in line, and
    ``at``: a rate window's oldest start, or the time a breaker may let a job through."""

    kind: str
    scope: str
    rank: int
    at: float = 0.0


_scripts: dict[tuple[int, str], object] = {}


def script(redis: Redis, source: str):
    """One registered script per client: registering hashes the source each time."""
    cached = _scripts.get((id(redis), source))
    if cached is None:
        cached = _scripts[(id(redis), source)] = redis.register_script(source)
    return cached


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def admit(
    job_id: str, limits: Limits, now: float, order: float, redis: Redis | None = None
) -> Refusal | None:
    """Take a slot of every concurrency scope and a start of every rate scope, or none.

    Admitted, the job's waiting note goes in the same script (no round trip of its
    own); refused, the job joins the held set of the scope that refused it and the
    caller defers it (:mod:`jobs.engine.flow.waiting`).
    """
    redis = redis or broker.connection()
    key_list: list[str] = []
    argv: list[object] = [repr(now), job_id, len(limits.concurrency), len(limits.rates), repr(order)]
    for scope, limit in limits.concurrency:
        key_list += [keys.slots(scope), keys.waiting(scope)]
        argv += [limit, scope]
    for scope, rate in limits.rates:
        key_list += [keys.starts(scope), keys.rate_held(scope)]
        argv += [rate.max, repr(rate.duration), scope]
    key_list += [keys.note(job_id), keys.SCOPES, keys.RATE_LIMITED, keys.HELD]
    reply = script(redis, ADMIT)(keys=key_list, args=argv)
    if _text(reply[0]) == "ok":
        return None
    return Refusal(_text(reply[0]), _text(reply[1]), int(reply[2]), float(_text(reply[3])))


def release(job_id: str, limits: Limits, redis: Redis | None = None) -> list[str]:
    """Give back the job's slots; for each, wake the oldest job held by it (moved to its
    queue in the same script). Returns the woken jobs' ids."""
    if not limits.concurrency:
        return []
    redis = redis or broker.connection()
    key_list = [broker.SCHEDULED_JOBS_KEY]
    argv: list[object] = [
        job_id,
        len(limits.concurrency),
        Queue.redis_queue_namespace_prefix,
        RQJob.redis_job_namespace_prefix,
    ]
    for scope, limit in limits.concurrency:
        key_list += [keys.slots(scope), keys.waiting(scope)]
        argv.append(limit)
    return [_text(job) for job in script(redis, RELEASE)(keys=key_list, args=argv)]


def holders(scope: str, before: float, redis: Redis | None = None) -> list[str]:
    """Jobs holding a slot of ``scope`` since before ``before`` (candidates for eviction)."""
    redis = redis or broker.connection()
    return [_text(job) for job in redis.zrangebyscore(keys.slots(scope), "-inf", before)]


def evict(scope: str, job_ids: list[str], redis: Redis | None = None) -> None:
    if job_ids:
        (redis or broker.connection()).zrem(keys.slots(scope), *job_ids)


def in_use(scope: str, redis: Redis | None = None) -> int:
    return int((redis or broker.connection()).zcard(keys.slots(scope)))

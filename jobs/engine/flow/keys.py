"""Every Redis key flow control writes, from templates under Jobdesk's prefix."""

from __future__ import annotations

from jobs.conf import REDIS_PREFIX

SLOTS = REDIS_PREFIX + "flow:slots:{scope}"
"""Sorted set: the jobs holding a concurrency slot of ``scope``, scored by when they took it."""
WAITING = REDIS_PREFIX + "flow:waiting:{scope}"
"""Sorted set: jobs held by ``scope``'s limit, scored by creation time (oldest woken first)."""
RATE_HELD = REDIS_PREFIX + "flow:rate_held:{scope}"
"""Sorted set: jobs held by ``scope``'s rate limit, scored by when, to spread them over windows."""
STARTS = REDIS_PREFIX + "flow:starts:{scope}"
"""Sorted set: the starts within ``scope``'s rate window, scored by start time."""
NOTE = REDIS_PREFIX + "flow:note:{job_id}"
"""Why a job waits and until when (JSON), for its page; expires with the wait."""
SCOPES = REDIS_PREFIX + "flow:scopes"
"""Hash: every scope that ever admitted a job → when it last did, so pages and metrics list them."""
RATE_LIMITED = REDIS_PREFIX + "flow:rate_limited"
"""Hash: per scope, how many starts its rate limit has held back (a counter)."""
HELD = REDIS_PREFIX + "flow:held"
"""Hash: per scope, how many starts its concurrency limit has held back (a counter)."""


def slots(scope: str) -> str:
    return SLOTS.format(scope=scope)


def waiting(scope: str) -> str:
    return WAITING.format(scope=scope)


def rate_held(scope: str) -> str:
    return RATE_HELD.format(scope=scope)


def starts(scope: str) -> str:
    return STARTS.format(scope=scope)


def note(job_id: str) -> str:
    return NOTE.format(job_id=job_id)


BREAKER = REDIS_PREFIX + "flow:breaker:{name}"
"""Hash: a breaker's ``state``, ``until``, ``opened_at``, ``probe``, ``probe_at``, ``forced``."""
BREAKER_FAILURES = REDIS_PREFIX + "flow:breaker_failures:{name}"
"""Sorted set: the counted failures within the breaker's window."""
BREAKER_HELD = REDIS_PREFIX + "flow:breaker_held:{name}"
"""Sorted set: the jobs an open breaker holds, all woken when it closes."""
BREAKERS = REDIS_PREFIX + "flow:breakers"
"""Set: every breaker that ever counted an outcome or was forced."""

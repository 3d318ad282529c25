"""The bounds of every number and date a caller may give, declared once.

The services enforce them (:mod:`jobs.core.validation`, the recurring rules, the
alert rules); the REST serializers, GraphQL descriptions and admin forms read their
limits from here, so the OpenAPI schema and the forms say what the services accept.

Why bounds at all: Python's ``datetime`` ends at year 9999 and ``timedelta`` at
999,999,999 days, database integer columns at 2³¹ − 1; ``now + timedelta(seconds=1e20)``
raises ``OverflowError``, not a refusal. No real job waits more than a few years, so
the bound is well inside what every part can compute and store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

MAX_DELAY = timedelta(days=3653)
"""How far ahead anything may be due (ten years): a delay, a run-at, a clocked time, one
interval of a recurring job, an alert's duration threshold."""

MAX_DELAY_SECONDS = int(MAX_DELAY.total_seconds())

MAX_TIMEOUT = MAX_DELAY_SECONDS
"""Seconds an attempt may run (fits the PositiveIntegerField and RQ's job timeout)."""

MAX_ATTEMPTS = 100
MAX_CONCURRENT_RUNS = 1000
MAX_COUNT = 1_000_000_000
"""Largest count a rule may name (an alert's ``min_jobs``): far under 2³¹ − 1."""

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""The window for dates that bound a schedule (``start_at``, ``end_at``): any time zone's
offset and any interval step still lands inside what ``datetime`` and the databases hold."""


def in_window(at: datetime) -> bool:
    """Whether ``at`` (naive: UTC) lies from EARLIEST to LATEST."""
    return EARLIEST <= (at if at.tzinfo else at.replace(tzinfo=UTC)) <= LATEST


def is_whole(value: Any, low: int, high: int) -> bool:
    """An ``int`` (not a bool) from ``low`` to ``high``."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def is_storable_text(text: str) -> bool:
    """PostgreSQL refuses NUL in text and JSON, and lone surrogates in JSON.

    SQLite stores both, so the rule is checked here for every database: the same input
    is refused whichever one runs.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_unstorable_text(value: Any) -> bool:
    """Whether any string (key or value) inside decoded JSON fails :func:`is_storable_text`."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not is_storable_text(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


MAX_JSON_DEPTH = 100
"""How deeply JSON values (arguments, request bodies) may nest. SQLite's JSON functions
stop at 1,000 levels, and Python 3.13's decoder no longer raises ``RecursionError``
a few thousand levels down as 3.11's does, so the bound must be Jobdesk's own; 100
leaves recursive code (django.tasks' ``normalize_json``) far from Python's limit. It
counts the levels of one argument; a request body may nest twice as deep."""


def nests_deeper_than(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether decoded JSON nests lists or objects more than ``limit`` levels deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False

"""Turning what a caller asked for into a valid job, or a clear refusal.

Everything here runs before anything is written, so a refusal changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from jobs import conf
from jobs.core.argument_types import check_argument_types
from jobs.core.registry import Task, get_task
from jobs.core.rules import (
    MAX_ATTEMPTS,
    MAX_DELAY,
    MAX_DELAY_SECONDS,
    MAX_JSON_DEPTH,
    MAX_TIMEOUT,
    has_unstorable_text,
    is_storable_text,
    is_whole,
    nests_deeper_than,
)
from jobs.core.states import Priority
from jobs.exceptions import InvalidArguments, InvalidSchedule, PayloadTooLarge, UnknownQueue


def resolve_task(task: str | Task) -> Task:
    """Accept a registered name or a registered Task; anything else is unknown."""
    name = task.name if isinstance(task, Task) else task
    return get_task(name)


def check_arguments(task: Task, args: Any, kwargs: Any, unknown: int = 0) -> tuple[list, dict]:
    """Arguments must be JSON, under the size limit, and fit the task's signature and its
    simple type hints (:mod:`jobs.core.argument_types` lists what is checked); the first
    ``unknown`` positional ones only stand in for values the run supplies.

    Raises:
        InvalidArguments, PayloadTooLarge
    """
    if args is None:
        args = []
    if kwargs is None:
        kwargs = {}
    if not isinstance(args, list | tuple):
        raise InvalidArguments("args must be a list.", fields={"args": "must be a list"})
    if not isinstance(kwargs, dict) or not all(isinstance(key, str) for key in kwargs):
        raise InvalidArguments(
            "kwargs must be an object with string keys.", fields={"kwargs": "must be an object"}
        )
    try:
        encoded = json.dumps([list(args), kwargs], allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArguments(
            f"Arguments must be JSON-serialisable: {exc}", fields={"args": "not JSON-serialisable"}
        ) from exc
    limit = conf.get().MAX_PAYLOAD_BYTES
    if len(encoded) > limit:  # json.dumps escapes non-ASCII: characters are bytes
        raise PayloadTooLarge(
            f"Arguments take {len(encoded)} bytes as JSON; the limit is {limit}.",
            fields={"args": f"over {limit} bytes"},
        )
    args, kwargs = json.loads(encoded)
    # Only text with that many brackets can nest that deep: the walk is rarely needed.
    brackets = encoded.count("[") + encoded.count("{")
    if brackets > MAX_JSON_DEPTH and nests_deeper_than([args, kwargs], MAX_JSON_DEPTH + 2):
        raise InvalidArguments(
            f"Arguments nest more than {MAX_JSON_DEPTH} levels deep.", fields={"args": "nested too deep"}
        )
    # The escapes json.dumps writes for NUL and surrogates: only then is the walk needed.
    if ("\\u0000" in encoded or "\\ud" in encoded) and has_unstorable_text([args, kwargs]):
        raise InvalidArguments(
            "Arguments can't contain NUL characters or unpaired surrogates.",
            fields={"args": "unstorable text"},
        )
    task.bind(args, kwargs)
    check_argument_types(task.signature, args, kwargs, unknown)
    return args, kwargs


def resolve_priority(priority: str | None, task: Task) -> str:
    value = priority or task.priority
    try:
        return Priority(value).value
    except ValueError:
        choices = ", ".join(Priority.values)
        raise InvalidArguments(
            f"Unknown priority {value!r}; use one of {choices}.", fields={"priority": "unknown"}
        ) from None


def resolve_queue(queue: str | None, task: Task, priority: str) -> str:
    """Explicit queue, else the task's, else the queue named for the priority.

    Raises:
        UnknownQueue: for a queue not in ``JOBS['QUEUES']``.
    """
    settings = conf.get()
    return check_queue(queue or task.queue or settings.priority_queues.get(priority, settings.DEFAULT_QUEUE))


def check_queue(name: Any) -> str:
    """The one check that a queue exists: every interface and service asks this.

    Raises:
        UnknownQueue: for a name not in ``JOBS['QUEUES']``.
    """
    queues = conf.get().QUEUES
    if name not in queues:
        raise UnknownQueue(
            f"Unknown queue {str(name)[:100]!r}; the queues are {', '.join(queues)}.",
            fields={"queue": "unknown"},
        )
    return name


def resolve_max_attempts(max_attempts: int | None, task: Task) -> int:
    value = task.max_attempts if max_attempts is None else max_attempts
    if not is_whole(value, 1, MAX_ATTEMPTS):
        raise InvalidArguments(
            f"max_attempts must be a whole number from 1 to {MAX_ATTEMPTS}.",
            fields={"max_attempts": "out of range"},
        )
    return value


def resolve_timeout(timeout: int | None, task: Task) -> int | None:
    """An explicit timeout (0 or None: the task's) must be whole seconds within MAX_TIMEOUT."""
    if timeout is None or (type(timeout) is int and timeout == 0):
        return task.timeout
    if not is_whole(timeout, 1, MAX_TIMEOUT):
        raise InvalidArguments(
            f"timeout must be a whole number of seconds from 1 to {MAX_TIMEOUT}.",
            fields={"timeout": "out of range"},
        )
    return timeout


def delay_seconds(delay: Any) -> float:
    """A delay as seconds from 0 to MAX_DELAY: NaN, infinities, bools and text are refused.

    Raises:
        InvalidSchedule
    """
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds != seconds:
        raise InvalidSchedule("delay must be a number of seconds.", fields={"delay": "not a number"})
    if seconds < 0:
        raise InvalidSchedule("delay can't be negative.", fields={"delay": "negative"})
    if seconds > MAX_DELAY_SECONDS:
        raise InvalidSchedule(
            f"delay can be at most {MAX_DELAY_SECONDS} s ({MAX_DELAY.days} days).",
            fields={"delay": "too far ahead"},
        )
    return seconds


def check_not_too_far(at: datetime, field: str, now: datetime) -> None:
    """Raises InvalidSchedule for a time more than MAX_DELAY after ``now``.

    ``at - now`` is computed, never ``now + MAX_DELAY``, so even ``datetime.max`` in any
    time zone compares without overflowing.
    """
    if at - now > MAX_DELAY:
        raise InvalidSchedule(
            f"{field} can be at most {MAX_DELAY.days} days ahead.", fields={field: "too far ahead"}
        )


def resolve_run_at(
    run_at: datetime | None, delay: float | timedelta | None, now: datetime
) -> datetime | None:
    """When the job is due, or None for "now".

    A run-at in the past within ``JOBS['RUN_AT_PAST_TOLERANCE']`` seconds (clock skew
    between the caller and this server) means "now"; further back is refused, and so
    is a delay or run-at more than :data:`jobs.core.rules.MAX_DELAY` ahead.

    Raises:
        InvalidSchedule
    """
    if run_at is not None and delay is not None:
        raise InvalidSchedule(
            "Give a run-at time or a delay, not both.", fields={"run_at": "conflicts with delay"}
        )
    if delay is not None:
        seconds = delay_seconds(delay)
        return now + timedelta(seconds=seconds) if seconds > 0 else None
    if run_at is None:
        return None
    if not isinstance(run_at, datetime):
        raise InvalidSchedule("run_at must be a date and time.", fields={"run_at": "not a datetime"})
    if timezone.is_naive(run_at):
        run_at = timezone.make_aware(run_at)
    tolerance = conf.get().RUN_AT_PAST_TOLERANCE
    if now - run_at > timedelta(seconds=tolerance):
        raise InvalidSchedule(
            f"run_at {run_at.isoformat()} is more than {tolerance:g} s in the past.",
            fields={"run_at": "in the past"},
        )
    check_not_too_far(run_at, "run_at", now)
    return run_at if run_at > now else None


def check_depends_on(depends_on: Any) -> tuple[Any, ...]:
    """The ids a job waits for, as a tuple (a generator would be read only once)."""
    if depends_on is None:
        return ()
    if isinstance(depends_on, str | bytes | Mapping) or not isinstance(depends_on, Iterable):
        raise InvalidArguments("depends_on must be a list of job ids.", fields={"depends_on": "not a list"})
    return tuple(depends_on)


def check_labels(tags: Any, correlation_id: Any) -> tuple[list[str], str]:
    if tags is None:
        tags = []
    if not isinstance(tags, list | tuple) or not all(
        isinstance(t, str) and 0 < len(t) <= 100 and is_storable_text(t) for t in tags
    ):
        raise InvalidArguments("tags must be a list of short strings.", fields={"tags": "invalid"})
    if (
        not isinstance(correlation_id, str)
        or len(correlation_id) > 200
        or not is_storable_text(correlation_id)
    ):
        raise InvalidArguments(
            "correlation_id must be a string of at most 200 characters.", fields={"correlation_id": "invalid"}
        )
    return list(dict.fromkeys(tags)), correlation_id

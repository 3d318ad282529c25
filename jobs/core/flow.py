"""Flow control rules: when a job may start, and when a request makes no new job.

Pure rules, no Redis and no ORM: the limit definitions a task carries
(``@task(concurrency=3, concurrency_key="account_id", rate_limit="100/m",
unique_for=60, unique_key="account_id")``) and a queue carries
(``JOBS["FLOW_QUEUES"] = {"normal": {"concurrency": 20, "rate_limit": "50/s"}}``),
their validation, and the scope names the engine keys its Redis state by.

A scope is what a limit counts: ``task:<name>`` or ``task:<name>:<key value>`` for a
task's limit keyed by an argument, ``queue:<name>`` for a queue's. Jobs of one scope
share the limit; two tenants' keyed scopes never wait for each other.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from jobs.exceptions import InvalidArguments, TaskConfigurationError

RATE_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([smhd])\s*$")
IDEMPOTENCY_TTL = 24 * 3600.0
"""Seconds an ``Idempotency-Key`` keeps answering with the job it made."""
FOREVER = 10**10
"""The ``until`` of a breaker forced open (a timestamp no one reaches): until closed by hand."""
MAX_KEY_VALUE = 100
"""A key value longer than this is stored as its hash, so scopes stay short."""
MAX_SECONDS = 10 * 365 * 86400.0
"""The longest window or timeout: beyond it Redis's expiries overflow (and no one means it)."""


@dataclass(frozen=True)
class Rate:
    """At most ``max`` starts in any ``duration`` seconds (a sliding window)."""

    max: int
    duration: float

    def __str__(self) -> str:
        return f"{self.max}/{self.duration:g}s"


def parse_rate(value: Any) -> Rate | None:
    """``"100/m"``, ``"20/s"``, ``"5/10s"``, ``{"max": 100, "duration": 60}`` or a Rate.

    Raises:
        TaskConfigurationError: for a limit of 0 or below, or a rate without a duration.
    """
    if value is None or isinstance(value, Rate):
        rate = value
    elif isinstance(value, str):
        match = RATE_PATTERN.match(value)
        if not match:
            raise TaskConfigurationError(
                f"Rate limit {value!r} is not of the form '<max>/<unit>', e.g. '100/m' or '5/10s'."
            )
        count, amount, unit = match.groups()
        rate = Rate(int(count), float(amount or 1) * RATE_UNITS[unit])
    elif isinstance(value, Mapping):
        if value.get("duration") in (None, ""):
            raise TaskConfigurationError("A rate limit needs a duration (seconds) as well as a max.")
        rate = Rate(
            _number(value.get("max"), "rate limit max"), float(_number(value["duration"], "duration"))
        )
    else:
        raise TaskConfigurationError(f"Rate limit {value!r} is neither '<max>/<unit>' nor {{max, duration}}.")
    if rate is not None and (rate.max <= 0 or rate.duration <= 0):
        raise TaskConfigurationError("A rate limit's max and duration must both be above 0.")
    return rate


def _number(value: Any, what: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TaskConfigurationError(f"The {what} must be a number, not {value!r}.")
    return value


def check_limit(value: Any, what: str = "concurrency") -> int | None:
    """A concurrency limit: None (no limit) or a whole number above 0.

    Raises:
        TaskConfigurationError: for 0, negatives and non-integers.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TaskConfigurationError(f"A {what} limit must be a whole number above 0, not {value!r}.")
    return value


def key_names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def check_key_names(names: tuple[str, ...], signature: inspect.Signature, what: str) -> None:
    """A key names parameters of the task, so every job has a value for it.

    Raises:
        TaskConfigurationError: naming the parameter that isn't one.
    """
    for name in names:
        if name not in signature.parameters:
            raise TaskConfigurationError(
                f"{what} {name!r} is not a parameter of the task (parameters: "
                f"{', '.join(signature.parameters) or 'none'})."
            )


def check_window(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_SECONDS
    ):
        raise TaskConfigurationError(
            f"{what} must be a number of seconds above 0 (at most ten years), not {value!r}."
        )
    return float(value)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) > MAX_KEY_VALUE:
        return "sha1-" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
    return text


def bound_arguments(signature: inspect.Signature, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict:
    """The job's arguments by parameter name, defaults filled in."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return {}
    bound.apply_defaults()
    return dict(bound.arguments)


def key_value(names: tuple[str, ...], arguments: Mapping[str, Any]) -> str:
    """The value a keyed limit is counted by: the named arguments, joined."""
    return ",".join(_text(arguments.get(name)) for name in names)


def task_scope(task_name: str, key: str = "") -> str:
    return f"task:{task_name}:{key}" if key else f"task:{task_name}"


def queue_scope(queue: str) -> str:
    return f"queue:{queue}"


def unique_key(task_name: str, names: tuple[str, ...], arguments: Mapping[str, Any]) -> str:
    """The key duplicates of a unique task share: its name and its (named) arguments."""
    chosen = {name: arguments.get(name) for name in names} if names else dict(arguments)
    digest = hashlib.sha1(
        json.dumps(chosen, sort_keys=True, default=str).encode(), usedforsecurity=False
    ).hexdigest()
    return f"unique:{task_name}:{digest}"


def check_idempotency_key(value: Any) -> str | None:
    """An ``Idempotency-Key``: up to 255 printable characters, or None for no key.

    Raises:
        InvalidArguments: for an empty, overlong or non-text key.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 255 or not value.isprintable():
        raise InvalidArguments(
            "An idempotency key is 1 to 255 printable characters.", fields={"idempotency_key": "invalid"}
        )
    return value


def idempotency_key(key: str, user_id: Any) -> str:
    """Idempotency keys belong to whoever sent them: one user can't reach another's job."""
    digest = hashlib.sha1(str(key).encode(), usedforsecurity=False).hexdigest()
    return f"idem:{user_id or '-'}:{digest}"


def fingerprint(task_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """What a request asked for, so a key reused for a different request is refused."""
    text = json.dumps([task_name, list(args), dict(kwargs)], sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class BreakerSpec:
    """A circuit breaker over a resource many tasks may share (``@task(breaker="bank-api")``).

    ``threshold`` counted failures within ``window`` seconds open it; after ``recovery``
    seconds one probe job runs (half-open): its success closes it, its failure opens it
    again. Exceptions of the ``ignore`` classes (dotted paths, and their subclasses)
    don't count: a 404 from the bank is not the bank being down.
    """

    name: str
    threshold: int = 5
    window: float = 60.0
    recovery: float = 30.0
    ignore: tuple[str, ...] = ()


BREAKER_SETTINGS = ("threshold", "window", "recovery")
"""What an operator may override of a breaker; the ignored exceptions stay code's."""


def breaker_names(tasks: Sequence[Any], settings: Mapping[str, Any] | None) -> set[str]:
    """The breakers named in code: by a task's ``breaker=`` or in ``JOBS["FLOW_BREAKERS"]``."""
    return {task.breaker for task in tasks if task.breaker} | set(settings or {})


def check_breaker_settings(threshold: Any, window: Any, recovery: Any) -> dict[str, str]:
    """Each problem with a breaker's threshold, window and recovery (None: as in code), by field."""
    checks = {
        "threshold": lambda: check_limit(threshold, "failure threshold"),
        "window": lambda: check_window(window, "A breaker's window"),
        "recovery": lambda: check_window(recovery, "A breaker's recovery timeout"),
    }
    errors: dict[str, str] = {}
    for field, check in checks.items():
        try:
            check()
        except TaskConfigurationError as exc:
            errors[field] = str(exc)
    return errors


def overridden(spec: BreakerSpec, **settings: Any) -> BreakerSpec:
    """``spec`` with an operator's threshold, window or recovery where they set one."""
    return replace(spec, **{field: value for field, value in settings.items() if value})


def breaker_spec(name: str, settings: Mapping[str, Any] | None) -> BreakerSpec:
    """The breaker ``name`` as ``JOBS["FLOW_BREAKERS"][name]`` configures it, or defaults.

    Raises:
        TaskConfigurationError: for a threshold, window or recovery of 0 or below.
    """
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise TaskConfigurationError(f"A breaker is named by 1 to 100 characters, not {name!r}.")
    options = dict(settings or {})
    unknown = set(options) - {"threshold", "window", "recovery", "ignore"}
    if unknown:
        raise TaskConfigurationError(f"Breaker {name!r}: unknown options {', '.join(sorted(unknown))}.")
    spec = BreakerSpec(name=name, **{**options, "ignore": tuple(options.get("ignore", ()))})
    check_limit(spec.threshold, f"breaker {name!r} threshold")
    check_window(spec.window, f"Breaker {name!r} window")
    check_window(spec.recovery, f"Breaker {name!r} recovery")
    return spec

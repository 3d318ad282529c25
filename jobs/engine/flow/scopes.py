"""Which limits apply to a job: its task's (keyed by its arguments) and its queue's; and
the settings of a breaker. The admin's overrides win over code and settings."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import DatabaseError

from jobs import conf
from jobs.core import flow
from jobs.core.flow_overrides import key_parts
from jobs.core.registry import Task, all_tasks, get_task
from jobs.exceptions import TaskConfigurationError, UnknownTask
from jobs.models import FlowOverride

logger = logging.getLogger("jobs.flow")


@dataclass(frozen=True)
class Limits:
    """The concurrency and rate limits one job is subject to, by scope."""

    concurrency: tuple[tuple[str, int], ...] = ()
    rates: tuple[tuple[str, flow.Rate], ...] = ()
    scopes: tuple[str, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.concurrency or self.rates)


NONE = Limits()


class Override(NamedTuple):
    """An override as the engine uses it; None or empty: as in code."""

    concurrency: int | None = None
    rate: flow.Rate | None = None
    key: tuple[str, ...] = ()
    threshold: int | None = None
    window: float | None = None
    recovery: float | None = None


NO_OVERRIDE = Override()
OVERRIDES_REFRESH = 1.0
"""How old a process's copy of the admin's overrides may get (seconds)."""
_overrides: tuple[float, dict[tuple[str, str], Override]] = (float("-inf"), {})


def overrides() -> dict[tuple[str, str], Override]:
    """The admin's overrides by (kind, name), read at most once a second per process."""
    global _overrides
    if time.monotonic() - _overrides[0] >= OVERRIDES_REFRESH:
        try:
            rows = FlowOverride.objects.values_list(
                "kind", "name", "concurrency", "rate_limit", "concurrency_key", *flow.BREAKER_SETTINGS
            )
            _overrides = (
                time.monotonic(),
                {(k, n): Override(c, _rate(r), key_parts(key), *rest) for k, n, c, r, key, *rest in rows},
            )
        except DatabaseError:
            logger.exception("flow overrides could not be read; keeping the last")
    return _overrides[1]


def forget_overrides() -> None:
    """Read them again at the next job (this process saved one)."""
    global _overrides
    _overrides = (float("-inf"), _overrides[1])


def _rate(text: str) -> flow.Rate | None:
    try:
        return flow.parse_rate(text or None)
    except TaskConfigurationError:
        return None  # refused when saved; a row written around the admin is ignored


def queue_limits(queue: str) -> tuple[int | None, flow.Rate | None]:
    """A queue's limits: the admin's override, else ``JOBS["FLOW_QUEUES"]`` (system-checked)."""
    settings = (conf.get().FLOW_QUEUES or {}).get(queue) or {}
    override = overrides().get(("queue", queue), NO_OVERRIDE)
    return (
        override.concurrency or flow.check_limit(settings.get("concurrency")),
        override.rate or flow.parse_rate(settings.get("rate_limit")),
    )


def task_limits(task: Task) -> tuple[int | None, flow.Rate | None]:
    """A task's limits: the admin's override, else the ones in code."""
    override = overrides().get(("task", task.name), NO_OVERRIDE)
    return override.concurrency or task.concurrency, override.rate or task.rate_limit


def task_key(task: Task) -> tuple[str, ...]:
    """The parameters a task's limits are keyed by: the admin's override, else the code's."""
    return overrides().get(("task", task.name), NO_OVERRIDE).key or task.concurrency_key


def breaker_spec(name: str) -> flow.BreakerSpec:
    """A breaker's settings: the admin's override of threshold, window and recovery, else
    ``JOBS["FLOW_BREAKERS"]`` (system-checked), else the defaults."""
    override = overrides().get(("breaker", name), NO_OVERRIDE)
    code = flow.breaker_spec(name, (conf.get().FLOW_BREAKERS or {}).get(name))
    given = {setting: getattr(override, setting) for setting in flow.BREAKER_SETTINGS}
    refused = flow.check_breaker_settings(**given)  # a row written around the admin is ignored
    return flow.overridden(code, **{k: v for k, v in given.items() if k not in refused})


def any_limits() -> bool:
    """Whether any task or queue has a limit in code or settings (overrides aside)."""
    if conf.get().FLOW_QUEUES:
        return True
    return any(task.concurrency or task.rate_limit or task.breaker for task in all_tasks())


def _task(name: str) -> Task | None:
    try:
        return get_task(name)
    except UnknownTask:
        return None


def limits_for(task_name: str, queue: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Limits:
    """The limits of a job of ``task_name`` on ``queue`` with these arguments."""
    concurrency: list[tuple[str, int]] = []
    rates: list[tuple[str, flow.Rate]] = []
    task = _task(task_name)
    task_concurrency, task_rate = task_limits(task) if task is not None else (None, None)
    if task is not None and (task_concurrency or task_rate):
        key = ""
        key_names = task_key(task)
        if key_names:
            arguments = flow.bound_arguments(task.signature, args, kwargs)
            key = flow.key_value(key_names, arguments)
        scope = flow.task_scope(task.name, key)
        if task_concurrency:
            concurrency.append((scope, task_concurrency))
        if task_rate:
            rates.append((scope, task_rate))
    limit, rate = queue_limits(queue)
    if limit:
        concurrency.append((flow.queue_scope(queue), limit))
    if rate:
        rates.append((flow.queue_scope(queue), rate))
    if not concurrency and not rates:
        return NONE
    names = tuple(dict.fromkeys(scope for scope, _ in [*concurrency, *rates]))
    return Limits(tuple(concurrency), tuple(rates), names)

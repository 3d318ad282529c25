"""Which limits apply to a job: its task's (keyed by its arguments) and its queue's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobs import conf
from jobs.core import flow
from jobs.core.registry import Task, all_tasks, get_task
from jobs.exceptions import UnknownTask


@dataclass(frozen=True)
class Limits:
    """The concurrency and rate limits one job is subject to, by scope."""

    concurrency: tuple[tuple[str, int], ...] = ()
    rates: tuple[tuple[str, flow.Rate], ...] = ()
    scopes: tuple[str, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.concurrency or self.rates)


NONE = Limits()


def queue_limits(queue: str) -> tuple[int | None, flow.Rate | None]:
    """A queue's limits from ``JOBS["FLOW_QUEUES"]`` (checked at start by a system check)."""
    settings = (conf.get().FLOW_QUEUES or {}).get(queue) or {}
    return flow.check_limit(settings.get("concurrency")), flow.parse_rate(settings.get("rate_limit"))


def any_limits() -> bool:
    """Whether any task or queue has a limit: if not, the claim path checks nothing."""
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
    if task is not None and (task.concurrency or task.rate_limit):
        key = ""
        if task.concurrency_key:
            arguments = flow.bound_arguments(task.signature, args, kwargs)
            key = flow.key_value(task.concurrency_key, arguments)
        scope = flow.task_scope(task.name, key)
        if task.concurrency:
            concurrency.append((scope, task.concurrency))
        if task.rate_limit:
            rates.append((scope, task.rate_limit))
    limit, rate = queue_limits(queue)
    if limit:
        concurrency.append((flow.queue_scope(queue), limit))
    if rate:
        rates.append((flow.queue_scope(queue), rate))
    if not concurrency and not rates:
        return NONE
    names = tuple(dict.fromkeys(scope for scope, _ in [*concurrency, *rates]))
    return Limits(tuple(concurrency), tuple(rates), names)

"""Flow control on dashboard pages (issue 15): the partials under ``dashboard/flow/`` load
these, so a page includes one line and its view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from jobs import conf
from jobs.core.registry import all_tasks
from jobs.exceptions import JobsError
from jobs.services import flow

register = template.Library()


def _quietly(read, *args: Any) -> Any:
    """A page still renders when Redis is away; its flow lines just don't show."""
    try:
        return read(*args)
    except (flow.FlowUnavailable, JobsError):
        return None


@register.simple_tag
def job_wait(job: Any) -> str | None:
    """``waiting: bank-api breaker open until 10:42:05`` for a held job, else None."""
    return _quietly(flow.job_wait, job)


@register.simple_tag
def task_flow(name: str) -> dict[str, Any] | None:
    """A task's limits with their usage now; None for a task without any."""
    row = _quietly(flow.task_flow, name)
    keys = ("concurrency", "rate_limit", "breaker", "unique_key", "unique_for")
    return row if row and any(row[key] for key in keys) else None


@register.simple_tag
def queue_flow(name: str) -> dict[str, Any] | None:
    """The queue's own limits and those of the tasks that default to it, with usage now."""
    own = _quietly(flow.queue_flow, name)
    default = conf.get().DEFAULT_QUEUE
    tasks = [row for t in all_tasks() if (t.queue or default) == name and (row := task_flow(t.name))]
    return {"queue": own, "tasks": tasks} if own or tasks else None

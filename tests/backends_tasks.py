"""django.tasks tasks the backend tests run (``django_tasks`` on Django 5.2), on JobdeskBackend.

``tests.settings`` lists this module in ``JOBS["TASK_MODULES"]``, so workers import it
and every task here is registered with Jobdesk under its module path.
"""

from __future__ import annotations

import asyncio

from jobs import Backoff
from jobs.backends import job_options

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task

RETRY_NOW = Backoff(strategy="fixed", initial=0)


@task()
def add(a: int, b: int) -> int:
    """Return a + b."""
    return a + b


@task()
def pair(a, b):
    """Return both arguments as they arrived."""
    return [a, b]


@task()
def noop() -> None:
    """Do nothing (the benchmark's task)."""


@task()
async def async_add(a: int, b: int) -> int:
    """An ``async def`` task: the worker runs it to completion."""
    await asyncio.sleep(0)
    return a + b


@task(takes_context=True)
@job_options(max_attempts=3, backoff=RETRY_NOW)
def flaky(context, fail_times: int) -> int:
    """Fail while the attempt number is at most ``fail_times``, then return the attempt number."""
    if context.attempt <= fail_times:
        raise ValueError(f"attempt {context.attempt} fails")
    return context.attempt


class ReportError(Exception):
    """A task's own exception class, for the errors' class paths."""


@task()
@job_options(max_attempts=2, backoff=RETRY_NOW)
def always_fails(message: str) -> None:
    """Raise, on every attempt."""
    raise ReportError(message)


@task(priority=-10)
def label(name: str) -> str:
    """Return its argument (the priority-order test reads when each ran)."""
    return name

"""The tasks the app's tests run, registered as ``tests.*`` (module-level, so forked work-horses have them).

``tests.settings`` adds this module to ``JOBS["TASK_MODULES"]``, so the test process and
every worker and scheduler subprocess the suite starts know these tasks. The app's
tests use them instead of the example project's ``demo.*`` tasks, which only the
tests about the project itself (tests/project/) rely on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from jobs import Backoff, task

logger = logging.getLogger(__name__)


@task(name="tests.add")
def add(a: float, b: float) -> float:
    """Return a + b."""
    return a + b


@task(name="tests.noop")
def noop() -> None:
    """Do nothing."""


@task(name="tests.fail")
def fail(message: str) -> None:
    """Raise, always."""
    raise RuntimeError(message)


@task(name="tests.sleep", takes_context=True, timeout=3600)
def sleep(context, seconds: float) -> float:
    """Sleep, reporting progress every second (touches Redis and the database meanwhile)."""
    started = time.monotonic()
    whole = max(int(seconds), 1)
    for second in range(whole):
        time.sleep(min(1.0, seconds - second) if seconds < whole else 1.0)
        context.progress(100 * (second + 1) / whole, f"slept {second + 1} of {whole} s")
    return round(time.monotonic() - started, 3)


@task(name="tests.flaky", takes_context=True, max_attempts=5, backoff=Backoff("fixed", initial=0.0))
def flaky(context, fail_times: int) -> int:
    """Fail while the attempt number is at most ``fail_times``, then succeed."""
    if context.attempt <= fail_times:
        raise RuntimeError(f"attempt {context.attempt} fails on purpose")
    return context.attempt


@task(name="tests.steps", takes_context=True)
def steps(context, count: int, every: int = 50) -> int:
    """Report progress once per ``every`` items of ``count``, without sleeping."""
    batches = max(1, count // every)
    for batch in range(batches):
        context.progress(100 * (batch + 1) / batches, f"did {min((batch + 1) * every, count)} of {count}")
    return count


@task(name="tests.log")
def log(message: str) -> str:
    """Write one INFO line through the logging module."""
    logger.info(message)
    return message


@task(name="tests.urgent", queue="high", priority="high")
def urgent() -> None:
    """A task whose own queue and priority are not the defaults."""


@task(name="tests.identity")
def identity(value: object) -> object:
    """Return its argument."""
    return value


@task(name="tests.fails_linear", max_attempts=3, backoff=Backoff("linear", initial=5, max_delay=30))
def fails_linear() -> None:
    raise ValueError("still broken")


@task(name="tests.fails_exponential", max_attempts=4, backoff=Backoff("exponential", initial=2, max_delay=5))
def fails_exponential() -> None:
    raise ValueError("still broken")


@task(name="tests.returns_a_set")
def returns_a_set() -> set:
    return {1, 2}


@task(name="tests.leaves_a_transaction_open")
def leaves_a_transaction_open() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1")
    return "left open"


@task(name="tests.database_state")
def database_state() -> dict:
    from django.db import connection

    return {"vendor": connection.vendor, "connected": connection.connection is not None, "pid": os.getpid()}


@task(name="tests.echo")
def echo(**payload) -> dict:
    return payload


@task(name="tests.sleep_quietly")
def sleep_quietly(seconds: float) -> float:
    """Sleeps without touching Redis or the database (unlike tests.sleep's progress)."""
    time.sleep(seconds)
    return seconds


@task(name="tests.mark_done", takes_context=True, max_attempts=3, backoff=Backoff("fixed", initial=0.0))
def mark_done(context, seconds: float) -> str:
    """Sleeps, then counts its completion in Redis by job id: a job that succeeds twice shows."""
    from jobs.engine import broker

    time.sleep(seconds)
    broker.connection().hincrby("jobdesk-tests:done", context.job_id, 1)
    return context.worker


@task(name="tests.timed_run", takes_context=True, max_attempts=3, backoff=Backoff("fixed", initial=0.0))
def timed_run(context, seconds: float) -> str:
    """Sleeps, keeping its execution's interval in a file of its own, then counts its completion.

    The file (under ``$JOBDESK_TEST_INTERVALS``) holds the job, the worker, the start and
    the last instant it was running, rewritten every 50 ms: a host cut off from Redis and
    the database can still write it, and an execution stopped midway leaves when it
    last ran. The test reads the files to show no two executions of a job overlap.
    """
    from jobs.engine import broker

    path = Path(os.environ["JOBDESK_TEST_INTERVALS"]) / f"{context.job_id}.{os.getpid()}.{time.time_ns()}"
    start, deadline = time.time(), time.monotonic() + seconds
    while True:
        interval = {"job": context.job_id, "worker": context.worker, "start": start, "end": time.time()}
        path.with_suffix(".tmp").write_text(json.dumps(interval))
        os.replace(path.with_suffix(".tmp"), path.with_suffix(".json"))
        if time.monotonic() >= deadline:
            break
        time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
    broker.connection().hincrby("jobdesk-tests:done", context.job_id, 1)
    return context.worker

"""Tasks only the test suite registers (module-level, so forked work-horses have them)."""

import time

from jobs import Backoff, task


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
    import os

    from django.db import connection

    return {"vendor": connection.vendor, "connected": connection.connection is not None, "pid": os.getpid()}


@task(name="tests.echo")
def echo(**payload) -> dict:
    return payload


@task(name="tests.sleep_quietly")
def sleep_quietly(seconds: float) -> float:
    """Sleeps without touching Redis or the database (unlike demo.sleep's progress)."""
    time.sleep(seconds)
    return seconds

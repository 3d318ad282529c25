"""Tasks the flow-control tests run (``tests.flow.*``): each notes when it ran in Redis.

Registered through ``tests.settings``, so worker subprocesses know them too. The spans
(``[label, start, end]`` in wall-clock seconds) let a test check what ran at once.
"""

from __future__ import annotations

import json
import time

from jobs import task
from jobs.engine import broker

SPANS = "flowtest:spans"


def _span(label: str, seconds: float) -> None:
    began = time.time()
    time.sleep(seconds)
    broker.connection().rpush(SPANS, json.dumps([label, began, time.time()]))


def spans() -> list[tuple[str, float, float]]:
    return [tuple(json.loads(raw)) for raw in broker.connection().lrange(SPANS, 0, -1)]


@task(name="tests.flow.limited", concurrency=3)
def limited(n: int, seconds: float = 0.2) -> None:
    """At most three at once."""
    _span(str(n), seconds)


@task(name="tests.flow.tenant", concurrency=1, concurrency_key="account")
def tenant(account: str, n: int, seconds: float = 0.2) -> None:
    """One at a time per account."""
    _span(account, seconds)


@task(name="tests.flow.rated", rate_limit="20/s")
def rated(n: int) -> None:
    """At most 20 starts in any second."""
    _span(str(n), 0)


@task(name="tests.flow.single", concurrency=1)
def single(seconds: float) -> None:
    """One at a time, for as long as asked."""
    _span("single", seconds)


@task(name="tests.flow.unique", unique_for=60)
def unique(a: int) -> int:
    """A duplicate scheduled within a minute is the same job."""
    return a


@task(name="tests.flow.unique_by_account", unique_key="account")
def unique_by_account(account: str, note: str = "") -> str:
    """One waiting or running job per account, whatever the note."""
    return account


class NotAtTheBank(Exception):
    """The bank answered "no such account": the bank is up, the breaker doesn't count it."""


@task(name="tests.flow.bank", breaker="tests-bank")
def bank(outcome: str = "ok") -> str:
    """Calls the bank through the ``tests-bank`` breaker (see tests.settings)."""
    if outcome == "down":
        raise ConnectionError("bank down")
    if outcome == "missing":
        raise NotAtTheBank("no such account")
    return outcome


@task(name="tests.flow.hourly", rate_limit="3/h")
def hourly(n: int) -> None:
    """Three starts an hour: a window no test outlives, whatever the machine's load."""

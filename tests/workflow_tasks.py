"""Tasks the events and workflow tests run, registered as ``tests.wf.*`` / ``tests.events.*``.

Listed in ``tests.settings``' ``TASK_MODULES``, so worker subprocesses know them too.
"""

from __future__ import annotations

import time

from jobs import Backoff, declare_event, task
from jobs.services.workflows import add_to_workflow

declare_event("tests.order.placed", "An order, for trigger rows in tests.")


@task(name="tests.events.categorise", on_event="tests.transaction.created")
def categorise(transaction_id: int, amount: float, description: str = "") -> str:
    """Put a transaction in a category by its description."""
    return "groceries" if "market" in description.lower() else "other"


@task(name="tests.events.ship")
def ship(order: int, express: bool = False) -> dict:
    """Ship an order (a trigger row maps the payload onto these parameters)."""
    return {"order": order, "express": express}


@task(name="tests.wf.double")
def double(value: float) -> float:
    """Return twice the value: a chain link that takes the previous result."""
    return value * 2


@task(name="tests.wf.total")
def total(results: list, *extra: float) -> float:
    """Sum the results a chord passes (None for a member that failed under ignore)."""
    return sum(r for r in results if r is not None) + sum(extra)


@task(name="tests.wf.collect")
def collect(results: list | dict) -> list | dict:
    """Return the results a chord passed (or a batch's summary), as they came."""
    return results


@task(name="tests.wf.mark")
def mark(label: str) -> str:
    """Return its label; tests read the order from finished_at."""
    return label


@task(name="tests.wf.spawn", takes_context=True)
def spawn(context, children: int, seconds: float = 0.0) -> int:
    """Add ``children`` sleeping steps to the own workflow while running (rq#1419)."""
    for number in range(children):
        add_to_workflow(context, "tests.wf.nap", seconds, number)
    return children


@task(name="tests.wf.nap")
def nap(seconds: float, value: float = 0) -> float:
    """Sleep, then return the value."""
    time.sleep(seconds)
    return value


@task(name="tests.wf.slow_retried", max_attempts=3, backoff=Backoff("fixed", initial=0.2), timeout=120)
def slow_retried(seconds: float, value: float = 1) -> float:
    """A chord member that sleeps and survives its worker being killed (it is retried)."""
    time.sleep(seconds)
    return value

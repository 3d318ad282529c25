"""Tasks the fast lane's tests run (``tests.fast.*``): async, blocking, leaking, spinning."""

from __future__ import annotations

import asyncio
import time

from jobs import task

_leaked: list[bytes] = []


@task(name="tests.fast.async_sleep")
async def async_sleep(seconds: float) -> float:
    """An ``async def`` task: awaits, returns how long it awaited."""
    started = time.monotonic()
    await asyncio.sleep(seconds)
    return round(time.monotonic() - started, 3)


@task(name="tests.fast.block", timeout=1)
def block(seconds: float) -> None:
    """Sleep in one C call: no timeout exception can land until it returns."""
    time.sleep(seconds)


@task(name="tests.fast.spin", timeout=1, max_attempts=1)
def spin(seconds: float) -> int:
    """Run Python code for ``seconds``: a soft timeout stops it."""
    deadline, turns = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        turns += 1
    return turns


@task(name="tests.fast.leak")
def leak(mib: int) -> int:
    """Keep ``mib`` MiB alive for as long as the process lives."""
    _leaked.append(b"x" * (mib * 1024 * 1024))
    return len(_leaked)


@task(name="tests.fast.nap")
def nap(seconds: float) -> None:
    """Sleep, in steps short enough for a stop or a timeout to land."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)

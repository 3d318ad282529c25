"""``async def`` tasks on the fast lane: one event loop, in a thread, for every slot.

A slot thread submits the task's coroutine to the loop and waits for it in short steps,
so that a timeout or a stop raised in the slot (:mod:`.monitor`) lands within
:data:`WAIT_STEP` seconds and cancels the coroutine. The coroutine itself carries the
job's timeout (``asyncio.wait_for``), so a coroutine that awaits overruns by nothing.
Django's ORM refuses to run on the loop (``SynchronousOnlyOperation``), as anywhere in
async code: a task reaches it through ``asgiref.sync.sync_to_async``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable
from typing import Any

from rq.timeouts import JobTimeoutException

WAIT_STEP = 0.2

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="jobdesk-asyncio", daemon=True).start()
        return _loop


async def _bounded(awaitable: Awaitable[Any], timeout: int | None) -> Any:
    if not timeout or timeout <= 0:
        return await awaitable
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise JobTimeoutException(f"Task exceeded maximum timeout value ({timeout} seconds)") from None


def run(awaitable: Awaitable[Any], timeout: int | None) -> Any:
    """Run ``awaitable`` on the shared loop and wait for it (the slot's coroutine runner)."""
    future = asyncio.run_coroutine_threadsafe(_bounded(awaitable, timeout), _shared_loop())
    try:
        while not future.done():
            concurrent.futures.wait([future], timeout=WAIT_STEP)
        return future.result()
    except BaseException:
        future.cancel()
        raise

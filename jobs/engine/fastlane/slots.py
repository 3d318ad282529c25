"""The fast lane's slots: N long-lived threads, each running one job at a time.

A slot thread keeps its own database connection (Django's are per thread) for as long
as the worker lives, as the forking class's parent does. The worker's main thread hands
a job to a slot only when one is free (:meth:`Slots.wait_free`): nothing is taken
from Redis ahead of a slot but what the prefetch bound allows (:mod:`.prefetch`), and a
job's RQ ``started_at`` and its row's are when it really started.

What a slot is doing is kept in :class:`Running`, which the monitor thread reads to
renew leases and heartbeats and to stop a job (timeout, stop command, shutdown) by
raising an exception in the slot's thread; an exception is only raised while the slot
is inside the task's own code (:func:`jobs.engine.execution.perform` marks it), so it
never lands in the middle of Jobdesk's or RQ's bookkeeping.
"""

from __future__ import annotations

import ctypes
import logging
import queue as queue_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections
from rq.executions import Execution
from rq.job import Job as RQJob
from rq.queue import Queue

logger = logging.getLogger("jobs.worker")


class JobStopped(Exception):
    """Raised in a slot's thread when its job was told to stop (stop command, shutdown)."""


@dataclass
class Running:
    """One job in one slot."""

    rq_job: RQJob
    queue: Queue
    execution: Execution | None = None
    thread_id: int = 0
    deadline: float | None = None
    hard_deadline: float | None = None
    pending: type[BaseException] | None = None
    stuck: bool = False
    started: float = field(default_factory=time.monotonic)


def raise_in(thread_id: int, exception: type[BaseException]) -> bool:
    """Raise ``exception`` in another thread of this process at its next Python step."""
    done = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))
    return done == 1


class Slots:
    """A fixed set of slot threads and what each is running."""

    def __init__(self, count: int, run: Callable[[Running], None]) -> None:
        self.count = count
        self._run = run
        self._inbox: queue_module.SimpleQueue[Running] = queue_module.SimpleQueue()
        self._free = threading.Semaphore(count)
        self._lock = threading.Lock()
        self.running: dict[str, Running] = {}
        self.completed = 0
        for index in range(count):
            threading.Thread(target=self._loop, name=f"jobdesk-slot-{index}", daemon=True).start()

    def wait_free(self, give_up: Callable[[], bool]) -> bool:
        """Block until a slot is free (True), or until ``give_up()`` says stop (False)."""
        while not self._free.acquire(timeout=0.1):
            if give_up():
                return False
        return True

    def release(self) -> None:
        """Give back a slot taken by :meth:`wait_free` that was not used."""
        self._free.release()

    def submit(self, running: Running) -> None:
        with self._lock:
            self.running[running.rq_job.id] = running
        self._inbox.put(running)

    def busy(self) -> list[Running]:
        with self._lock:
            return list(self.running.values())

    def wait_idle(self, until: float, ignore_stuck: bool = True) -> bool:
        """Wait until no slot runs a job (stuck ones aside) or ``until`` (monotonic) passes."""
        while any(not (ignore_stuck and r.stuck) for r in self.busy()):
            if time.monotonic() >= until:
                return False
            time.sleep(0.05)
        return True

    def _loop(self) -> None:
        while True:
            try:
                running = self._inbox.get()
                self._serve(running)
            except BaseException:  # an exception raised in this thread too late to land in a task
                logger.exception("a slot thread caught an exception outside any job")

    def _serve(self, running: Running) -> None:
        running.thread_id = threading.get_ident()
        try:
            for wrapper in connections.all(initialized_only=True):
                wrapper.close_if_unusable_or_obsolete()
            self._run(running)
        finally:
            with self._lock:
                self.running.pop(running.rq_job.id, None)
                self.completed += 1
            self._free.release()

"""Riding out a Redis that went away: wait with back-off, say so once, carry on.

RQ's worker quits on the first Redis error outside its dequeue call, and rq-scheduler
on any; nothing restarts them. Jobdesk's worker and scheduler instead wait for Redis
with a capped back-off (0.5 s doubling to 5 s) and log one line when Redis is lost and
one when it is back, not a traceback per attempt. Jobs accepted meanwhile wait in the
database (the outbox, decision 11) and are enqueued by reconcile once Redis answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis.exceptions

CONNECTION_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
FIRST_WAIT = 0.5
LONGEST_WAIT = 5.0


class Outage:
    """Whether one process (or thread) has lost Redis, and since when."""

    def __init__(self, who: str, logger: logging.Logger) -> None:
        self.who = who
        self.logger = logger
        self.since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.since is not None

    def lost(self, error: BaseException) -> None:
        """Note that Redis didn't answer; only the first call of an outage logs."""
        with self._lock:
            if self.since is None:
                self.since = time.monotonic()
                self.logger.warning("%s lost Redis (%s); waiting for it to come back", self.who, error)

    def back(self) -> None:
        with self._lock:
            if self.since is not None:
                self.logger.warning("%s: Redis is back after %.1f s", self.who, time.monotonic() - self.since)
                self.since = None

    def wait(self, ping: Callable[[], object], give_up: Callable[[], bool] = lambda: False) -> bool:
        """Block until ``ping`` succeeds (True) or ``give_up`` says stop (False)."""
        delay = FIRST_WAIT
        while not give_up():
            try:
                ping()
            except CONNECTION_ERRORS as error:
                self.lost(error)
                time.sleep(delay)
                delay = min(delay * 2, LONGEST_WAIT)
                continue
            self.back()
            return True
        return False

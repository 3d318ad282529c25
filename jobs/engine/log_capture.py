"""What a task logs through ``logging`` goes to its job's timeline (``context.log``).

Only the records of the task's own thread: a non-forking worker runs several jobs at
once, each with a handler of its own on the root logger.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _TimelineHandler(logging.Handler):
    """Copies what the task logs through ``logging``, in its own thread, into its timeline.

    Only its thread's records: a non-forking worker runs several jobs at once, each with
    a handler of its own on the root logger.
    """

    IGNORED = ("rq.", "jobs.", "django.db")

    def __init__(self, context) -> None:
        super().__init__(level=logging.INFO)
        self.context = context
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or record.name.startswith(self.IGNORED):
            return
        try:
            self.context.log(record.levelno, record.getMessage())
        except Exception:  # a task's log line must never fail the task
            self.handleError(record)


_capturing = 0
_level_before = logging.NOTSET
_capture_lock = threading.Lock()


@contextmanager
def capture_logs(context) -> Iterator[None]:
    """The root logger lets INFO through while any job captures (once, however many run)."""
    global _capturing, _level_before
    handler = _TimelineHandler(context)
    root = logging.getLogger()
    with _capture_lock:
        if _capturing == 0:
            _level_before = root.level
            if root.getEffectiveLevel() > logging.INFO:
                root.setLevel(logging.INFO)
        _capturing += 1
        root.addHandler(handler)
    try:
        yield
    finally:
        with _capture_lock:
            root.removeHandler(handler)
            _capturing -= 1
            if _capturing == 0:
                root.setLevel(_level_before)

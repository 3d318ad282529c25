"""The chaos benchmark's task: it notes each execution that ran to its end, in Redis.

Registered by ``bench/chaos.py`` and, through ``JOBS_TASK_MODULES=chaos_tasks``, by the
workers it starts (``bench/`` is on their ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import time

from jobs import task
from jobs.engine import broker

RUNS_KEY = "bench:chaos:runs:{job_id}"


@task(name="bench.chaos_step", takes_context=True, max_attempts=10)
def chaos_step(context, seconds: float) -> None:
    """Sleep, then record this execution's start and end (an execution killed first doesn't)."""
    began = time.time()
    time.sleep(seconds)
    span = json.dumps([began, time.time(), context.attempt])
    broker.connection().rpush(RUNS_KEY.format(job_id=context.job_id), span)

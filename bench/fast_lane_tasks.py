"""Tasks of ``bench/fast_lane.py sleepy`` (``JOBS_TASK_MODULES=fast_lane_tasks``, PYTHONPATH=bench)."""

from __future__ import annotations

import time

from jobs import task


@task(name="fast_lane_tasks.insert_and_sleep", takes_context=True)
def insert_and_sleep(context, seconds: float) -> None:
    """Insert one row (a line of the job's timeline, in the job's database), then sleep."""
    context.log("INFO", "one row")
    context.flush_logs()
    time.sleep(seconds)

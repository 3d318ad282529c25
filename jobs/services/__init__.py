"""The service layer: the only code that changes a job's, queue's or schedule's state.

Admin actions, dashboard buttons, REST views, GraphQL mutations and management commands
parse their input, call one function from here, and turn a :class:`JobsError` into
their own kind of answer.
"""

from .jobs import (
    BulkResult,
    cancel_job,
    cancel_jobs,
    rerun_job,
    retry_job,
    retry_jobs,
    schedule_job,
    schedule_jobs,
)
from .queues import pause_queue, resume_queue

__all__ = [
    "BulkResult",
    "cancel_job",
    "cancel_jobs",
    "pause_queue",
    "rerun_job",
    "resume_queue",
    "retry_job",
    "retry_jobs",
    "schedule_job",
    "schedule_jobs",
]

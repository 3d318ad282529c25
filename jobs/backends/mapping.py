"""The two tables between django.tasks and Jobdesk: priorities and statuses.

Priority. django.tasks priorities run from -100 to 100 (higher runs first, 0 is the
default). Jobdesk orders work by queue: a job's priority names its queue (decision 10)
and workers take ``high`` before ``normal`` before ``low``; ``urgent`` also goes to the
front of its queue. So the sign of the number picks the band:

==============  ==========  ====================================================
django.tasks    Jobdesk     where it runs
==============  ==========  ====================================================
100             urgent      the ``high`` queue, at the front
1 … 99          high        the ``high`` queue
0               normal      the ``normal`` queue
-100 … -1       low         the ``low`` queue
==============  ==========  ====================================================

Within a band jobs run in the order they were enqueued. A task that names a queue
(``queue_name="reports"``) runs there; its priority still picks the band, and
``urgent`` still goes to the front. Read back, a job's priority is its task's own when
the band is unchanged, else the band's figure in :data:`BAND_PRIORITY`.

Status. Every Jobdesk state maps to one of django.tasks' four (Django 6.0 has no
others): waiting states are READY, like a job waiting for its next attempt; a
cancelled job never finishes its run, so it is FAILED ("unable to start").
"""

from __future__ import annotations

from jobs.backends.compat import TaskResultStatus
from jobs.core.states import JobStatus, Priority

STATUS = {
    JobStatus.SCHEDULED: TaskResultStatus.READY,
    JobStatus.DEFERRED: TaskResultStatus.READY,
    JobStatus.QUEUED: TaskResultStatus.READY,
    JobStatus.STARTED: TaskResultStatus.RUNNING,
    JobStatus.SUCCEEDED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.CANCELLED: TaskResultStatus.FAILED,
}

BAND_PRIORITY = {Priority.URGENT: 100, Priority.HIGH: 50, Priority.NORMAL: 0, Priority.LOW: -50}


def band(priority: int) -> Priority:
    """Jobdesk's priority for a django.tasks priority (see the table above)."""
    if priority >= 100:
        return Priority.URGENT
    if priority > 0:
        return Priority.HIGH
    if priority == 0:
        return Priority.NORMAL
    return Priority.LOW


def result_status(status: str) -> TaskResultStatus:
    return STATUS[JobStatus(status)]

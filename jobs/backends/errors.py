"""Refusals that are both django.tasks' ``InvalidTask`` and Jobdesk's own refusal.

Code written against django.tasks catches ``InvalidTask``; code that knows Jobdesk (and
its interfaces) catches the Jobdesk class. The message is Jobdesk's, the one a person
acts on everywhere else.
"""

from __future__ import annotations

from jobs.backends.compat import InvalidTask
from jobs.exceptions import InvalidArguments, InvalidSchedule, JobsError, PayloadTooLarge, UnknownQueue


class InvalidTaskArguments(InvalidTask, InvalidArguments, TypeError):
    """Arguments that aren't JSON, don't survive a JSON round trip, or don't fit the function.

    Also a ``TypeError``: what Django's own backends raise for arguments they can't take.
    """


class TaskPayloadTooLarge(InvalidTask, PayloadTooLarge):
    """Arguments over ``JOBS['MAX_PAYLOAD_BYTES']`` as JSON."""


class InvalidTaskQueue(InvalidTask, UnknownQueue):
    """A queue that isn't in ``JOBS['QUEUES']`` or not in the backend's ``QUEUES``."""


class InvalidTaskSchedule(InvalidTask, InvalidSchedule):
    """A ``run_after`` Jobdesk can't schedule."""


_BY_CAUSE: tuple[tuple[type[JobsError], type[JobsError]], ...] = (
    (PayloadTooLarge, TaskPayloadTooLarge),
    (InvalidArguments, InvalidTaskArguments),
    (UnknownQueue, InvalidTaskQueue),
    (InvalidSchedule, InvalidTaskSchedule),
)


def as_invalid_task(exc: JobsError) -> JobsError:
    """The django.tasks-and-Jobdesk refusal for a Jobdesk refusal; others are returned as they are."""
    for cause, refusal in _BY_CAUSE:
        if isinstance(exc, cause):
            return refusal(exc.message, fields=exc.fields)
    return exc

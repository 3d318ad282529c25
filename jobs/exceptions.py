"""Every refusal Jobdesk makes is a :class:`JobsError` with a message a person can read.

Interfaces translate them: the admin shows the message, REST maps ``code`` to a status
(``not_found`` → 404, ``invalid_transition`` → 409, everything else → 400), GraphQL
returns the code and message in the mutation's ``errors``.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class JobsError(Exception):
    """Base of every refusal. ``fields`` names the input fields at fault, if any."""

    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class UnknownTask(JobsError):
    code = "unknown_task"


class InvalidArguments(JobsError):
    code = "invalid_arguments"


class UnknownQueue(JobsError):
    code = "unknown_queue"


class InvalidSchedule(JobsError):
    code = "invalid_schedule"


class PayloadTooLarge(JobsError):
    code = "payload_too_large"


class JobNotFound(JobsError):
    code = "not_found"


class RecurringJobNotFound(JobsError):
    code = "not_found"


class InvalidTransition(JobsError):
    code = "invalid_transition"


class DependencyFailed(JobsError):
    code = "dependency_failed"


class TaskConfigurationError(ImproperlyConfigured):
    """A task was registered with options that can't work (raised at import time)."""

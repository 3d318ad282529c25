"""Every refusal Jobdesk makes is a :class:`JobsError` with a message a person can read.

The hierarchy carries the meaning, so interfaces map by class, never by string:

* :class:`NotFound` — the object doesn't exist (REST 404);
* :class:`Invalid` — the request can never succeed as written (REST 400);
* :class:`Conflict` — the request is fine but the object's state refuses it (REST 409);
* :class:`Forbidden` — the caller lacks the permission (REST 403).

``code`` is the finer name a client may branch on (``unknown_queue``, …); GraphQL
returns it with the message in a mutation's ``errors``.

:class:`PermanentFailure` is not a refusal: a task raises it to fail at once, without
the retries its back-off would otherwise make.
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


class NotFound(JobsError):
    code = "not_found"


class Invalid(JobsError):
    code = "invalid"


class Conflict(JobsError):
    code = "conflict"


class Forbidden(JobsError):
    code = "forbidden"


class JobNotFound(NotFound):
    pass


class RecurringJobNotFound(NotFound):
    pass


class AlertRuleNotFound(NotFound):
    pass


class UnknownTask(Invalid):
    code = "unknown_task"


class InvalidArguments(Invalid):
    code = "invalid_arguments"


class UnknownQueue(Invalid):
    code = "unknown_queue"


class InvalidSchedule(Invalid):
    code = "invalid_schedule"


class PayloadTooLarge(Invalid):
    code = "payload_too_large"


class InvalidAlertRule(Invalid):
    code = "invalid_alert_rule"


class InvalidMetricsQuery(Invalid):
    code = "invalid_metrics_query"


class DependencyFailed(Invalid):
    """A new job may not wait for one that already failed or was cancelled."""

    code = "dependency_failed"


class UnknownDependency(Invalid):
    """``depends_on`` names a job that doesn't exist: the request is wrong, not a lookup."""

    code = "unknown_dependency"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PermissionMissing(Forbidden):
    """The caller may not perform this action (see :mod:`jobs.services.actions`)."""

    code = "permission_denied"


class PermanentFailure(Exception):
    """Raise from a task to fail this job now: no further attempt, whatever its back-off.

    The message becomes the job's error. Any other exception is retried while attempts
    remain.
    """


class ResultNotSerialisable(PermanentFailure):
    """The task returned something JSON can't hold; running it again won't change that."""


class TaskConfigurationError(ImproperlyConfigured):
    """A task was registered with options that can't work (raised at import time)."""


class EventNotFound(NotFound):
    pass


class EventTriggerNotFound(NotFound):
    pass


class WorkflowNotFound(NotFound):
    pass


class BatchNotFound(NotFound):
    pass


class InvalidEvent(Invalid):
    """An event name that breaks the naming rule, or a payload that isn't a JSON object."""

    code = "invalid_event"


class UnknownEvent(Invalid):
    """No task subscribes to the event name and nothing declares it (a typo, most likely)."""

    code = "unknown_event"


class InvalidWorkflow(Invalid):
    """A workflow or batch definition that can't run: a cycle, an unknown node, no steps."""

    code = "invalid_workflow"

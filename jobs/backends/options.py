"""Jobdesk's options for django.tasks tasks: backend-wide in ``OPTIONS``, per task by decorator.

Django's ``@task`` has no room for retries or time limits, so they come from the
backend's ``OPTIONS`` (every task of that backend) and from :func:`job_options` under
``@task`` (one task; it wins)::

    TASKS = {"default": {"BACKEND": "jobs.backends.JobdeskBackend",
                         "OPTIONS": {"MAX_ATTEMPTS": 3, "BACKOFF": {"strategy": "exponential",
                                     "initial": 2, "max_delay": 60}, "TIMEOUT": 300}}}

    @task()
    @job_options(max_attempts=5, timeout=30)
    def send_report(report_id): ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from jobs.core.registry import Backoff
from jobs.exceptions import TaskConfigurationError

ATTRIBUTE = "jobdesk_options"
"""Where :func:`job_options` leaves a function's options."""


@dataclass(frozen=True)
class TaskOptions:
    """What a django.tasks task gets as Jobdesk options when it is registered."""

    max_attempts: int = 1
    backoff: Backoff = field(default_factory=Backoff)
    timeout: int | None = None

    def updated(self, changes: Mapping[str, Any]) -> TaskOptions:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TaskConfigurationError(
                f"Unknown Jobdesk task option(s) {', '.join(unknown)}; use {', '.join(sorted(known))}."
            )
        values = {name: value for name, value in changes.items() if value is not None}
        if "backoff" in values:
            values["backoff"] = _backoff(values["backoff"])
        options = TaskOptions(**{**self.__dict__, **values})
        options.check()
        return options

    def check(self) -> None:
        """Raises: TaskConfigurationError, for values no job could run with."""
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise TaskConfigurationError(
                f"max_attempts must be a whole number of at least 1, not {self.max_attempts!r}."
            )
        if self.timeout is not None and (not isinstance(self.timeout, int) or self.timeout <= 0):
            raise TaskConfigurationError(
                f"timeout must be a whole number of seconds above 0, not {self.timeout!r}."
            )


def _backoff(value: Any) -> Backoff:
    if isinstance(value, Backoff):
        return value
    if isinstance(value, Mapping):
        try:
            return Backoff(**value)
        except TypeError as exc:
            raise TaskConfigurationError(
                f"BACKOFF: {exc}; use strategy, initial, max_delay, jitter."
            ) from exc
    raise TaskConfigurationError("BACKOFF must be a jobs.Backoff or a mapping of its fields.")


def backend_options(options: Mapping[str, Any]) -> TaskOptions:
    """The backend's ``OPTIONS`` as task defaults.

    Raises:
        TaskConfigurationError: for unknown keys or values that can't work.
    """
    if not isinstance(options, Mapping):
        raise TaskConfigurationError("OPTIONS must be a mapping.")
    unknown = sorted(set(options) - {"MAX_ATTEMPTS", "BACKOFF", "TIMEOUT"})
    if unknown:
        raise TaskConfigurationError(
            f"Unknown OPTIONS {', '.join(unknown)} for jobs.backends.JobdeskBackend; "
            "it takes MAX_ATTEMPTS, BACKOFF and TIMEOUT."
        )
    return TaskOptions().updated({key.lower(): value for key, value in options.items()})


def job_options(
    *,
    max_attempts: int | None = None,
    backoff: Backoff | Mapping[str, Any] | None = None,
    timeout: int | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give one django.tasks task its own retries, back-off and timeout (put it under ``@task``).

    The function itself is returned, so django.tasks still sees a module-level function.
    """
    chosen = {"max_attempts": max_attempts, "backoff": backoff, "timeout": timeout}

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        setattr(func, ATTRIBUTE, {name: value for name, value in chosen.items() if value is not None})
        return func

    return mark


def for_function(defaults: TaskOptions, func: Callable[..., Any]) -> TaskOptions:
    return defaults.updated(getattr(func, ATTRIBUTE, {}))

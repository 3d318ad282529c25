"""What makes an override of a limit valid: a known task or queue, limits above 0."""

from __future__ import annotations

from typing import Any

from jobs.core import flow
from jobs.core.registry import get_task
from jobs.core.validation import check_queue
from jobs.exceptions import TaskConfigurationError, UnknownQueue, UnknownTask


def override_errors(kind: str, name: str, concurrency: Any, rate_limit: str) -> dict[str, str]:
    """Every problem with an override, by field; empty when it is valid."""
    errors: dict[str, str] = {}
    try:
        get_task(name) if kind == "task" else check_queue(name)
    except (UnknownTask, UnknownQueue) as exc:
        errors["name"] = exc.message
    try:
        flow.check_limit(concurrency)
    except TaskConfigurationError as exc:
        errors["concurrency"] = str(exc)
    try:
        flow.parse_rate(rate_limit or None)
    except TaskConfigurationError as exc:
        errors["rate_limit"] = str(exc)
    return errors

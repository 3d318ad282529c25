"""What makes an override of a limit valid: a known task or queue, limits above 0, a key
that names parameters of the task."""

from __future__ import annotations

from typing import Any

from jobs.core import flow
from jobs.core.registry import Task, get_task
from jobs.core.validation import check_queue
from jobs.exceptions import TaskConfigurationError, UnknownQueue, UnknownTask


def key_parts(value: str) -> tuple[str, ...]:
    """``"account_id, region"`` → ``("account_id", "region")``: an override's key, as stored."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def override_errors(
    kind: str, name: str, concurrency: Any, rate_limit: str, concurrency_key: str = ""
) -> dict[str, str]:
    """Every problem with an override, by field; empty when it is valid."""
    errors: dict[str, str] = {}
    task: Task | None = None
    try:
        if kind == "task":
            task = get_task(name)
        else:
            check_queue(name)
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
    key_error = _key_error(kind, task, key_parts(concurrency_key))
    if key_error:
        errors["concurrency_key"] = key_error
    return errors


def _key_error(kind: str, task: Task | None, key: tuple[str, ...]) -> str:
    if not key:
        return ""
    if kind != "task":
        return "Only a task's limits are keyed by its arguments; a queue's are not."
    if task is None:
        return ""  # the unknown task is the error
    try:
        flow.check_key_names(key, task.signature, "concurrency_key")
    except TaskConfigurationError as exc:
        return str(exc)
    return ""

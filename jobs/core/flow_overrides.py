"""What makes an override of a limit valid: a known task, queue or breaker, limits above 0,
a key that names parameters of the task, and only the fields of its kind (a breaker has a
threshold, a window and a recovery timeout; a task or a queue has limits)."""

from __future__ import annotations

from typing import Any

from jobs import conf
from jobs.core import flow
from jobs.core.registry import Task, all_tasks, get_task
from jobs.core.validation import check_queue
from jobs.exceptions import TaskConfigurationError, UnknownQueue, UnknownTask


def key_parts(value: str) -> tuple[str, ...]:
    """``"account_id, region"`` → ``("account_id", "region")``: an override's key, as stored."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def override_errors(
    kind: str,
    name: str,
    concurrency: Any,
    rate_limit: str,
    concurrency_key: str = "",
    threshold: Any = None,
    window: Any = None,
    recovery: Any = None,
) -> dict[str, str]:
    """Every problem with an override, by field; empty when it is valid."""
    if kind == "breaker":
        errors = _breaker_name_error(name) | flow.check_breaker_settings(threshold, window, recovery)
        given = {"concurrency": concurrency, "rate_limit": rate_limit, "concurrency_key": concurrency_key}
        return errors | _foreign(
            given, "A breaker has a threshold, a window and a recovery timeout, not this."
        )
    breaker_values = {"threshold": threshold, "window": window, "recovery": recovery}
    errors = _limit_errors(kind, name, concurrency, rate_limit, concurrency_key)
    return errors | _foreign(
        breaker_values, "Only a breaker's override has this; a task's or queue's doesn't."
    )


def _foreign(values: dict[str, Any], message: str) -> dict[str, str]:
    """The fields set that don't belong to the override's kind."""
    return {field: message for field, value in values.items() if value not in (None, "")}


def known_breakers() -> set[str]:
    """The breakers named in code or settings (the ones an override may change)."""
    return flow.breaker_names(all_tasks(), conf.get().FLOW_BREAKERS)


def _breaker_name_error(name: str) -> dict[str, str]:
    if name in known_breakers():
        return {}
    return {"name": f"Unknown breaker {name!r}: no task and no JOBS['FLOW_BREAKERS'] entry names it."}


def _limit_errors(
    kind: str, name: str, concurrency: Any, rate_limit: str, concurrency_key: str
) -> dict[str, str]:
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

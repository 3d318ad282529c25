"""Event names, and how an event's payload becomes a job's arguments.

An event is a name (``transaction.created``) and a JSON object. A trigger subscribes a
task to a name, in code (``@task(on_event=...)``) or as an admin-editable row, with an
optional *filter* (payload paths that must hold given values) and a *mapping* (which
payload path fills which parameter). Everything here is pure: it runs before anything
is written, so a refusal changes nothing.

* A name is lower-case dotted words, at most :data:`MAX_NAME` characters.
* Known names are those a code trigger subscribes to and those declared with
  :func:`declare_event`: a trigger row or a publish naming anything else is refused,
  because a typo would otherwise wait forever for an event nobody sends.
* A path is dotted keys into the payload (``account.id``); ``""`` is the whole payload.
* A filter is ``{path: value}``; every path must exist and equal its value.
* A mapping is ``{parameter: path}``; without one, the payload's keys are the keyword
  arguments. A mapping must bind to the task's signature when the trigger is saved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jobs import conf
from jobs.core import validation
from jobs.core.registry import EVENT_NAME, Task, all_tasks
from jobs.exceptions import InvalidArguments, InvalidEvent, PayloadTooLarge, UnknownEvent

MAX_NAME = 100
MISSING = object()

_declared: dict[str, str] = {}


def declare_event(name: str, description: str = "") -> str:
    """Make ``name`` a known event even before any code trigger subscribes to it.

    Raises:
        InvalidEvent: for a name that breaks the naming rule.
    """
    _declared[check_name(name)] = description
    return name


def check_name(name: Any) -> str:
    """Raises: InvalidEvent unless ``name`` is lower-case dotted words of bounded length."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or not EVENT_NAME.match(name):
        raise InvalidEvent(
            f"Event name {str(name)[:MAX_NAME]!r} must be lower-case dotted words "
            f"(letters, digits, _), at most {MAX_NAME} characters.",
            fields={"name": "invalid"},
        )
    return name


def code_triggers(name: str) -> list[Task]:
    """The registered tasks that subscribe to ``name`` with ``on_event``."""
    return [task for task in all_tasks() if name in task.on_event]


def known_events() -> dict[str, str]:
    """Every known event name and its description, sorted by name."""
    tasks = list(all_tasks())  # discovers the task modules, which declare events too
    names = dict(_declared)
    for task in tasks:
        for name in task.on_event:
            names.setdefault(name, "")
    return dict(sorted(names.items()))


def check_known(name: Any) -> str:
    """Raises: InvalidEvent for a bad name, UnknownEvent for one nothing declares."""
    check_name(name)
    if name not in known_events():
        raise UnknownEvent(
            f"Unknown event {name!r}: no task subscribes to it and it isn't declared.",
            fields={"event_name": "unknown"},
        )
    return name


def check_payload(payload: Any) -> dict[str, Any]:
    """A payload is a JSON object under ``JOBS['MAX_PAYLOAD_BYTES']``.

    Raises:
        InvalidEvent, PayloadTooLarge
    """
    if not isinstance(payload, Mapping):
        raise InvalidEvent("An event's payload must be a JSON object.", fields={"payload": "not an object"})
    try:
        encoded = json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidEvent(f"The payload must be JSON: {exc}", fields={"payload": "not JSON"}) from exc
    limit = conf.get().MAX_PAYLOAD_BYTES
    if len(encoded) > limit:
        raise PayloadTooLarge(
            f"The payload takes {len(encoded)} bytes as JSON; the limit is {limit}.",
            fields={"payload": f"over {limit} bytes"},
        )
    return json.loads(encoded)


def lookup(payload: Any, path: str) -> Any:
    """The value at a dotted path, or :data:`MISSING`."""
    value = payload
    for key in path.split(".") if path else ():
        if not isinstance(value, Mapping) or key not in value:
            return MISSING
        value = value[key]
    return value


def matches(payload: Mapping[str, Any], event_filter: Mapping[str, Any] | None) -> bool:
    """Whether every path of the filter exists in the payload and equals its value."""
    return all(lookup(payload, path) == expected for path, expected in (event_filter or {}).items())


def check_filter(event_filter: Any) -> dict[str, Any]:
    """Raises: InvalidEvent unless the filter is an object of path → JSON value."""
    if event_filter in (None, ""):
        return {}
    if not isinstance(event_filter, Mapping) or not all(isinstance(k, str) for k in event_filter):
        raise InvalidEvent(
            "A filter is an object of payload path → expected value.", fields={"filter": "not an object"}
        )
    return dict(event_filter)


def check_mapping(task: Task, mapping: Any) -> dict[str, str]:
    """A mapping of parameter → payload path that binds to the task's signature.

    Raises:
        InvalidArguments: for a mapping that isn't parameter → path, or doesn't bind.
    """
    if mapping in (None, ""):
        return {}
    if not isinstance(mapping, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise InvalidArguments(
            "A mapping is an object of parameter name → payload path (text).",
            fields={"mapping": "not parameter → path"},
        )
    try:
        task.signature.bind(**{name: None for name in mapping})
    except TypeError as exc:
        raise InvalidArguments(
            f"The mapping doesn't bind to {task.name}{task.signature}: {exc}", fields={"mapping": str(exc)}
        ) from exc
    return dict(mapping)


def arguments(payload: Mapping[str, Any], mapping: Mapping[str, str] | None) -> dict[str, Any]:
    """The keyword arguments a trigger's job gets from this payload.

    Raises:
        InvalidArguments: when a mapped path is not in the payload.
    """
    if not mapping:
        return dict(payload)
    kwargs = {}
    for parameter, path in mapping.items():
        value = lookup(payload, path)
        if value is MISSING:
            raise InvalidArguments(
                f"The payload has no {path!r} for parameter {parameter!r}.", fields={"payload": path}
            )
        kwargs[parameter] = value
    return kwargs


def check_trigger(
    event_name: Any, task_name: Any, event_filter: Any, mapping: Any, queue: Any
) -> tuple[str, dict, dict]:
    """A trigger's parts, checked: the event known, the task registered, the filter an
    object, the mapping binding to the task, the queue known.

    Returns the task's registered name, the filter and the mapping.

    Raises:
        InvalidEvent, UnknownEvent, UnknownTask, InvalidArguments, UnknownQueue.
    """
    check_known(event_name)
    task = validation.resolve_task(task_name)
    checked_filter = check_filter(event_filter)
    checked_mapping = check_mapping(task, mapping)
    if queue:
        validation.check_queue(queue)
    return task.name, checked_filter, checked_mapping

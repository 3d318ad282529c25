"""The task decorator and the allow-list of tasks.

Only registered tasks can run: the admin, REST and GraphQL name a task by its registered
name and Jobdesk looks it up here. Nothing is ever imported from a dotted path a user
sent, and the RQ job only ever names :func:`jobs.engine.execution.run_job`.
"""

from __future__ import annotations

import inspect
import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps

from jobs import conf
from jobs.core import flow
from jobs.core.states import Priority
from jobs.exceptions import InvalidArguments, TaskConfigurationError, UnknownTask

BACKOFF_STRATEGIES = ("fixed", "linear", "exponential")
EVENT_NAME = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
"""The event naming rule, here because ``@task(on_event=…)`` checks it at import time."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before attempt ``n + 1`` after attempt ``n`` failed.

    ``fixed`` waits ``initial`` every time, ``linear`` waits ``initial × n``,
    ``exponential`` waits ``initial × 2^(n-1)``; ``max_delay`` caps it and ``jitter`` (a
    fraction, 0.1 = ±10 %) spreads retries of many jobs that failed together.
    """

    strategy: str = "exponential"
    initial: float = 1.0
    max_delay: float | None = None
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.strategy not in BACKOFF_STRATEGIES:
            raise TaskConfigurationError(
                f"Unknown back-off strategy {self.strategy!r}; use one of {', '.join(BACKOFF_STRATEGIES)}."
            )
        if self.initial < 0 or (self.max_delay is not None and self.max_delay < 0):
            raise TaskConfigurationError("Back-off delays can't be negative.")
        if not 0 <= self.jitter <= 1:
            raise TaskConfigurationError("Back-off jitter is a fraction between 0 and 1.")

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        attempt = max(attempt, 1)
        if self.strategy == "fixed":
            seconds = self.initial
        elif self.strategy == "linear":
            seconds = self.initial * attempt
        else:
            seconds = self.initial * 2 ** (attempt - 1)
        if self.max_delay is not None:
            seconds = min(seconds, self.max_delay)
        if self.jitter:
            seconds *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(seconds, 0.0)


@dataclass(frozen=True)
class Task:
    """A registered callable and the defaults every job of it starts with."""

    func: Callable[..., Any]
    name: str
    queue: str | None = None
    priority: str = Priority.NORMAL
    max_attempts: int = 1
    backoff: Backoff = field(default_factory=Backoff)
    timeout: int | None = None
    result_retention: timedelta | None = None
    takes_context: bool = False
    description: str = ""
    concurrency: int | None = None
    concurrency_key: tuple[str, ...] = ()
    rate_limit: flow.Rate | None = None
    unique_for: float | None = None
    unique_key: tuple[str, ...] = ()
    breaker: str | None = None

    @property
    def is_unique(self) -> bool:
        return self.unique_for is not None or bool(self.unique_key)

    on_event: tuple[str, ...] = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function directly, in this process (handy in tests and shells)."""
        return self.func(*args, **kwargs)

    @cached_property
    def signature(self) -> inspect.Signature:
        """The parameters a caller supplies (without the context parameter); computed once."""
        try:
            signature = inspect.signature(self.func, eval_str=True)
        except (NameError, TypeError):
            signature = inspect.signature(self.func)
        parameters = list(signature.parameters.values())
        if self.takes_context:
            parameters = parameters[1:]
        return signature.replace(parameters=parameters)

    def bind(self, args: list | tuple, kwargs: dict) -> None:
        """Refuse arguments that don't fit the signature, before anything is written.

        Raises:
            InvalidArguments: with the binding error in words.
        """
        try:
            self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise InvalidArguments(
                f"Arguments don't fit {self.name}{self.signature}: {exc}", fields={"args": str(exc)}
            ) from exc

    def run(self, context: Any, args: list, kwargs: dict) -> Any:
        if self.takes_context:
            return self.func(context, *args, **kwargs)
        return self.func(*args, **kwargs)

    def describe(self) -> dict[str, Any]:
        """What APIs and forms show about a task."""
        return {
            "name": self.name,
            "signature": f"{self.name}{self.signature}",
            "parameters": [
                {
                    "name": p.name,
                    "kind": p.kind.name.lower(),
                    "required": p.default is inspect.Parameter.empty
                    and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD),
                    "default": None if p.default is inspect.Parameter.empty else repr(p.default),
                }
                for p in self.signature.parameters.values()
            ],
            "queue": self.queue,
            "priority": self.priority,
            "max_attempts": self.max_attempts,
            "backoff": {
                "strategy": self.backoff.strategy,
                "initial": self.backoff.initial,
                "max_delay": self.backoff.max_delay,
                "jitter": self.backoff.jitter,
            },
            "timeout": self.timeout,
            "description": self.description,
        }


_registry: dict[str, Task] = {}
_discovered = False
# Threaded servers: the first requests must not see a half-imported registry.
_discover_lock = threading.RLock()


def task(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    queue: str | None = None,
    priority: str = Priority.NORMAL,
    max_attempts: int = 1,
    backoff: Backoff | None = None,
    timeout: int | None = None,
    result_retention: timedelta | None = None,
    takes_context: bool = False,
    concurrency: int | None = None,
    concurrency_key: str | tuple[str, ...] | None = None,
    rate_limit: str | dict | flow.Rate | None = None,
    unique_for: float | None = None,
    unique_key: str | tuple[str, ...] | None = None,
    breaker: str | None = None,
    on_event: str | tuple[str, ...] | list[str] = (),
) -> Any:
    """Register ``func`` as a task: ``@task(name="demo.add", max_attempts=3)``.

    ``result_retention`` is how long its succeeded jobs (and their results) are kept
    before the cleanup task deletes them; unset, ``JOBS['SUCCEEDED_RETENTION_DAYS']``.
    ``on_event`` subscribes the task to event names: each published event of such a
    name creates one job of it, the payload's keys as keyword arguments
    (:mod:`jobs.core.events`).

    Flow control (:mod:`jobs.core.flow`): at most ``concurrency`` of its jobs run at once
    (per value of the ``concurrency_key`` parameters, if named), at most ``rate_limit``
    start per window (``"100/m"``, same key), and a job scheduled while an equal one
    created less than ``unique_for`` seconds ago (equal in its ``unique_key``
    parameters, or all arguments) is still waiting or running is that job.

    Raises:
        TaskConfigurationError: for options that can't work, or a name taken by another
            function (two tasks with one name would make the allow-list ambiguous).
    """

    def register(function: Callable[..., Any]) -> Task:
        registered = Task(
            func=function,
            name=name or f"{function.__module__}.{function.__qualname__}",
            queue=queue,
            priority=Priority(priority),
            max_attempts=max_attempts,
            backoff=backoff or Backoff(),
            timeout=timeout,
            result_retention=result_retention,
            takes_context=takes_context,
            description=inspect.getdoc(function) or "",
            concurrency=flow.check_limit(concurrency),
            concurrency_key=flow.key_names(concurrency_key),
            rate_limit=flow.parse_rate(rate_limit),
            unique_for=flow.check_window(unique_for, "unique_for"),
            unique_key=flow.key_names(unique_key),
            breaker=breaker,
            on_event=(on_event,) if isinstance(on_event, str) else tuple(on_event),
        )
        _check(registered)
        _check_flow(registered)
        existing = _registry.get(registered.name)
        if existing is not None and _qualified(existing.func) != _qualified(function):
            raise TaskConfigurationError(
                f"Task name {registered.name!r} is already taken by {_qualified(existing.func)}."
            )
        _registry[registered.name] = registered
        return registered

    return register(func) if func is not None else register


def _qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _check(registered: Task) -> None:
    if registered.max_attempts < 1:
        raise TaskConfigurationError(f"{registered.name}: max_attempts must be at least 1.")
    if registered.timeout is not None and registered.timeout <= 0:
        raise TaskConfigurationError(f"{registered.name}: timeout must be positive.")
    retention = registered.result_retention
    if retention is not None and (not isinstance(retention, timedelta) or retention <= timedelta(0)):
        raise TaskConfigurationError(f"{registered.name}: result_retention must be a positive timedelta.")
    if registered.takes_context and not inspect.signature(registered.func).parameters:
        raise TaskConfigurationError(f"{registered.name}: takes_context needs a first parameter.")
    for event_name in registered.on_event:
        if not isinstance(event_name, str) or not EVENT_NAME.match(event_name):
            raise TaskConfigurationError(f"{registered.name}: on_event {event_name!r} is not an event name.")


def _check_flow(registered: Task) -> None:
    """A key names parameters, and keys a limit or uniqueness that exists."""
    flow.check_key_names(
        registered.concurrency_key, registered.signature, f"{registered.name}: concurrency_key"
    )
    flow.check_key_names(registered.unique_key, registered.signature, f"{registered.name}: unique_key")
    if registered.breaker is not None:
        flow.breaker_spec(registered.breaker, None)
    if registered.concurrency_key and registered.concurrency is None and registered.rate_limit is None:
        raise TaskConfigurationError(f"{registered.name}: concurrency_key needs a concurrency or rate_limit.")


def autodiscover() -> None:
    """Import ``tasks`` modules of installed apps and ``JOBS['TASK_MODULES']``, once."""
    global _discovered
    if _discovered:
        return
    with _discover_lock:
        if _discovered:
            return
        for app_config in django_apps.get_app_configs():
            module_name = f"{app_config.name}.tasks"
            try:
                import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
        for module_name in conf.get().TASK_MODULES:
            import_module(module_name)
        _discovered = True


def get_task(name: str) -> Task:
    """Look a task up by its registered name.

    Raises:
        UnknownTask: for any name not registered.
    """
    autodiscover()
    try:
        return _registry[name]
    except (KeyError, TypeError):
        raise UnknownTask(
            f"Unknown task {name!r}: it is not registered.", fields={"task": "unknown"}
        ) from None


def all_tasks() -> Iterator[Task]:
    autodiscover()
    yield from sorted(_registry.values(), key=lambda t: t.name)


def task_names() -> list[str]:
    return [t.name for t in all_tasks()]


def register(registered: Task) -> Task:
    """Add a Task built elsewhere (a django.tasks task, by :mod:`jobs.backends`) to the allow-list.

    The same rules as :func:`task`: its options are checked, and a name already taken by
    another function is refused. Registering the same function again keeps the first.

    Raises:
        TaskConfigurationError
    """
    _check(registered)
    existing = _registry.get(registered.name)
    if existing is not None:
        if _qualified(existing.func) != _qualified(registered.func):
            raise TaskConfigurationError(
                f"Task name {registered.name!r} is already taken by {_qualified(existing.func)}."
            )
        return existing
    _registry[registered.name] = registered
    return registered


def registered(name: str) -> Task | None:
    """The task registered under ``name`` without importing task modules, or None."""
    return _registry.get(name)

"""A django.tasks task as a Jobdesk task: what the registry holds and a worker runs.

Registering it (:func:`register`) puts it on Jobdesk's allow-list under its
``module_path``, so the admin's scheduling form, ``/api/tasks/`` and GraphQL ``tasks``
list it, and a worker can run it by name like any Jobdesk task. Its retries, back-off
and timeout come from :mod:`jobs.backends.options`.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from jobs.backends.compat import DEFAULT_TASK_QUEUE_NAME, Task, TaskContext, normalize_json
from jobs.backends.mapping import band
from jobs.backends.options import TaskOptions, for_function
from jobs.core import registry


class DjangoTaskRunner:
    """The callable Jobdesk's registry holds for a django.tasks task.

    Jobdesk hands it its own context first; the django.tasks function gets a
    ``TaskContext`` (if it takes one) and its arguments. ``async def`` functions run to
    completion in the worker (django.tasks' ``Task.call``).
    """

    def __init__(self, task: Task) -> None:
        self.task = task
        functools.update_wrapper(self, task.func)
        try:
            signature = inspect.signature(task.func, eval_str=True)
        except (NameError, TypeError):
            signature = inspect.signature(task.func)
        parameters = list(signature.parameters.values())[1 if task.takes_context else 0 :]
        context = inspect.Parameter("jobdesk_context", inspect.Parameter.POSITIONAL_ONLY)
        self.__signature__ = signature.replace(parameters=[context, *parameters])

    def __call__(self, context: Any, *args: Any, **kwargs: Any) -> Any:
        if self.task.takes_context:
            from jobs.backends.results import running_result

            task_context = TaskContext(task_result=running_result(self.task, context.job_id))
            return normalize_json(self.task.call(task_context, *args, **kwargs))
        return normalize_json(self.task.call(*args, **kwargs))


def register(task: Task, defaults: TaskOptions) -> registry.Task:
    """Put ``task`` on the allow-list (once; ``.using()`` copies find it there).

    Raises:
        TaskConfigurationError: bad options, or the name is another function's.
    """
    existing = registry.registered(task.module_path)
    if existing is not None and isinstance(existing.func, DjangoTaskRunner):
        return existing
    options = for_function(defaults, task.func)
    return registry.register(
        registry.Task(
            func=DjangoTaskRunner(task),
            name=task.module_path,
            queue=None if task.queue_name == DEFAULT_TASK_QUEUE_NAME else task.queue_name,
            priority=band(task.priority),
            max_attempts=options.max_attempts,
            backoff=options.backoff,
            timeout=options.timeout,
            takes_context=True,
            description=inspect.getdoc(task.func) or "",
        )
    )


def django_task(name: str) -> Task | None:
    """The django.tasks task registered under ``name``, or None for a Jobdesk task."""
    found = registry.registered(name)
    if found is None:
        found = registry.get_task(name)
    return found.func.task if isinstance(found.func, DjangoTaskRunner) else None

"""``jobs.backends.JobdeskBackend``: Django's tasks framework on Jobdesk.

``task.enqueue()`` becomes :func:`jobs.services.schedule_job`: a Job row, sent to its
RQ queue when the surrounding transaction commits (never, if it rolls back), run by
``manage.py rqworker`` with Jobdesk's retries, timeline, admin, dashboard, REST and
GraphQL. ``get_result()`` reads the row (:mod:`jobs.backends.results`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.utils import timezone

from jobs import conf
from jobs.backends import runner
from jobs.backends.compat import (
    DEFAULT_TASK_QUEUE_NAME,
    BaseTaskBackend,
    InvalidTask,
    InvalidTaskBackend,
    Task,
    TaskResult,
    TaskResultDoesNotExist,
    normalize_json,
)
from jobs.backends.errors import InvalidTaskArguments, InvalidTaskQueue, as_invalid_task
from jobs.backends.mapping import band
from jobs.backends.options import TaskOptions, backend_options
from jobs.backends.results import as_enqueued, build, enqueuing, task_as_enqueued
from jobs.core.rules import MAX_JSON_DEPTH
from jobs.core.validation import check_queue
from jobs.exceptions import JobsError, TaskConfigurationError, UnknownQueue, UnknownTask
from jobs.services import get_job, schedule_job

SOURCE = "django.tasks"
"""``Job.source`` of jobs enqueued through django.tasks."""


class JobdeskBackend(BaseTaskBackend):
    """All four of django.tasks' capabilities: defer, async tasks, results, priority."""

    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = True

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        # No QUEUES, or an empty list (django.tasks: "no restriction"), is every Jobdesk queue.
        if not params.get("QUEUES"):
            self.queues = {DEFAULT_TASK_QUEUE_NAME, *conf.get().QUEUES}
        self.problems: list[str] = []
        try:
            self.defaults = backend_options(self.options)
        except TaskConfigurationError as exc:
            self.defaults = TaskOptions()
            self.problems.append(f"TASKS[{alias!r}]: {exc}")
        for queue in sorted(self.queues - {DEFAULT_TASK_QUEUE_NAME}):
            try:
                check_queue(queue)
            except UnknownQueue as exc:
                self.problems.append(f"TASKS[{alias!r}]['QUEUES']: {exc.message}")

    def validate_task(self, task: Task) -> None:
        """Django's checks, Jobdesk's queue check first, then registration as a Jobdesk task.

        Raises:
            InvalidTask: (``InvalidTaskQueue`` for a queue) with a message to act on.
        """
        self._check_queue(task.queue_name)
        super().validate_task(task)
        try:
            runner.register(task, self.defaults)
        except TaskConfigurationError as exc:
            raise InvalidTask(str(exc)) from exc

    def _check_queue(self, queue: str) -> None:
        if queue != DEFAULT_TASK_QUEUE_NAME:
            try:
                check_queue(queue)
            except UnknownQueue as exc:
                raise InvalidTaskQueue(exc.message, fields=exc.fields) from exc
        if queue not in self.queues:
            raise InvalidTaskQueue(
                f"Queue {queue!r} is not in TASKS[{self.alias!r}]['QUEUES']: "
                f"{', '.join(sorted(self.queues))}.",
                fields={"queue": "not in the backend's QUEUES"},
            )

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        """Create the Job (sent to RQ on commit) and return its result, status READY.

        Raises:
            InvalidTaskBackend: the backend's settings are wrong (see ``manage.py check``).
            InvalidTask: Jobdesk refused the arguments, queue or time, with its message.
        """
        if self.problems:
            raise InvalidTaskBackend(" ".join(self.problems))
        # django.tasks validated (and registered) the task when it was made; only the
        # queue can have become wrong since, if the settings changed.
        self._check_queue(task.queue_name)
        args, kwargs = _round_trip(args, kwargs)
        run_after = task.run_after
        try:
            with enqueuing(task):
                job = schedule_job(
                    task.module_path,
                    args=args,
                    kwargs=kwargs,
                    queue=None if task.queue_name == DEFAULT_TASK_QUEUE_NAME else task.queue_name,
                    priority=band(task.priority),
                    run_at=run_after if run_after is not None and run_after > timezone.now() else None,
                    source=SOURCE,
                )
        except JobsError as exc:
            raise as_invalid_task(exc) from exc
        return as_enqueued(task, job, self.alias)

    def get_result(self, result_id: str) -> TaskResult:
        """The result of the job ``result_id``, read from its row.

        Raises:
            TaskResultDoesNotExist: no such job, or the job runs a task that isn't django.tasks'.
        """
        try:
            job = get_job(result_id)
            task = runner.django_task(job.task)
        except (JobsError, UnknownTask) as exc:
            raise TaskResultDoesNotExist(getattr(exc, "message", str(exc))) from exc
        if task is None:
            raise TaskResultDoesNotExist(
                f"Job {job.pk} runs the Jobdesk task {job.task!r}, not a django.tasks task."
            )
        return build(task_as_enqueued(task, job, self.queues), job, self.alias)

    def check(self, **kwargs: Any) -> Iterable[checks.CheckMessage]:
        """Settings mistakes, reported by ``manage.py check`` (ids jobs.E170…)."""
        return [
            checks.Error(problem, id="jobs.E170", obj=f"settings.TASKS[{self.alias!r}]")
            for problem in self.problems
        ]


def _round_trip(args: Any, kwargs: Any) -> tuple[list, dict]:
    """Arguments as the worker will see them; refused unless JSON keeps them as they are.

    ``schedule_job`` checks the rest (size, depth, the function's signature) once more.

    Raises:
        InvalidTaskArguments
    """
    if not args and not kwargs:
        return [], {}
    try:
        normalized = normalize_json([list(args), dict(kwargs)])
    except RecursionError as exc:
        raise InvalidTaskArguments(
            f"Arguments nest more than {MAX_JSON_DEPTH} levels deep.", fields={"args": "nested too deep"}
        ) from exc
    except (TypeError, ValueError) as exc:
        raise _not_json(exc) from exc
    try:
        encoded = json.loads(json.dumps(normalized, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise _not_json(exc) from exc
    if encoded != normalized:
        raise InvalidTaskArguments(
            "Arguments must come back unchanged from JSON; a mapping key that isn't a string would not.",
            fields={"args": "changed by a JSON round trip"},
        )
    return encoded[0], encoded[1]


def _not_json(exc: Exception) -> InvalidTaskArguments:
    return InvalidTaskArguments(
        f"Arguments must be JSON-serialisable: {exc}", fields={"args": "not JSON-serialisable"}
    )

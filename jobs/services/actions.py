"""Every action on a job, queue, recurring job or alert rule: its permission and its limits, once.

The admin, the dashboard, REST and GraphQL read this table to decide who may act and
how much one request may do; none of them spells a permission codename itself. The
permissions are Django's, so one group setup governs every surface: the model's
default ``add``/``change``/``delete``/``view`` ones, and the custom ones declared in
each model's ``Meta.permissions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobs.exceptions import PermissionMissing

BULK_LIMIT = 10_000
"""Most objects one bulk action (retry, cancel, delete) takes in one request."""

BULK_SCHEDULE_LIMIT = 1_000
"""Most jobs one bulk schedule request creates (one transaction, one COPY)."""


@dataclass(frozen=True)
class Action:
    """One thing a person or program may do, and what it takes."""

    name: str
    permission: str
    description: str
    bulk_limit: int | None = None


def _table(*actions: Action) -> dict[str, Action]:
    return {action.name: action for action in actions}


ACTIONS: dict[str, Action] = _table(
    Action("view_job", "jobs.view_job", "See jobs, their arguments, results and timelines."),
    Action("schedule_job", "jobs.schedule_job", "Schedule a job.", bulk_limit=BULK_SCHEDULE_LIMIT),
    Action("rerun_job", "jobs.schedule_job", "Schedule a fresh copy of a job."),
    Action("retry_job", "jobs.retry_job", "Send a failed or cancelled job back.", bulk_limit=BULK_LIMIT),
    Action("cancel_job", "jobs.cancel_job", "Cancel a waiting or running job.", bulk_limit=BULK_LIMIT),
    Action("delete_job", "jobs.delete_job", "Delete a finished or waiting job.", bulk_limit=BULK_LIMIT),
    Action("view_queue", "jobs.view_queuestats", "See queues, their figures and the workers."),
    Action("pause_queue", "jobs.pause_queue", "Pause a queue."),
    Action("resume_queue", "jobs.pause_queue", "Resume a paused queue."),
    Action("view_recurring_job", "jobs.view_recurringjob", "See recurring jobs and their runs."),
    Action("create_recurring_job", "jobs.add_recurringjob", "Create a recurring job."),
    Action("update_recurring_job", "jobs.change_recurringjob", "Edit a recurring job."),
    Action("delete_recurring_job", "jobs.delete_recurringjob", "Delete a recurring job."),
    Action("trigger_recurring_job", "jobs.trigger_recurring_job", "Run a recurring job now."),
    Action("pause_recurring_job", "jobs.pause_recurring_job", "Pause a recurring job."),
    Action("resume_recurring_job", "jobs.pause_recurring_job", "Resume a paused recurring job."),
    Action("view_alert_rule", "jobs.view_alertrule", "See alert rules and open alerts."),
    Action("create_alert_rule", "jobs.add_alertrule", "Create an alert rule."),
    Action("update_alert_rule", "jobs.change_alertrule", "Edit an alert rule."),
    Action("delete_alert_rule", "jobs.delete_alertrule", "Delete an alert rule with its alerts."),
    Action("view_flow", "jobs.view_queuestats", "See limits, their usage and the circuit breakers."),
    Action("force_breaker", "jobs.force_breaker", "Force a circuit breaker open or closed."),
    Action("override_limits", "jobs.change_flowoverride", "Override a task's or queue's limits."),
)


def action(name: str) -> Action:
    """The action of that name. Raises: KeyError for a name not in :data:`ACTIONS`."""
    return ACTIONS[name]


def permission(name: str) -> str:
    """The permission codename (``app_label.codename``) the action needs."""
    return ACTIONS[name].permission


def may(user: Any, name: str) -> bool:
    """Whether ``user`` may perform the action (anonymous users may do nothing)."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.has_perm(permission(name))
    )


def require(user: Any, name: str) -> None:
    """Raises: PermissionMissing when ``user`` may not perform the action."""
    if not may(user, name):
        raise PermissionMissing(f"You need the {permission(name)!r} permission to {name.replace('_', ' ')}.")


def bulk_limit(name: str) -> int:
    """Most objects one request of this bulk action may name."""
    limit = ACTIONS[name].bulk_limit
    if limit is None:
        raise KeyError(f"{name} has no bulk form")
    return limit


PURGE_LIMIT = 100_000
"""Most finished jobs one purge request deletes (in batches of a thousand)."""

ACTIONS.update(
    _table(
        Action("run_job_now", "jobs.schedule_job", "Send a scheduled job to its queue now."),
        Action(
            "purge_jobs",
            "jobs.delete_job",
            "Delete the finished jobs a filter matches.",
            bulk_limit=PURGE_LIMIT,
        ),
        Action("empty_queue", "jobs.cancel_job", "Cancel every job waiting in a queue."),
    )
)

ACTIONS.update(
    _table(
        Action("view_fleet", "jobs.view_fleetworker", "See the worker pools, their workers and health."),
        Action(
            "resize_pool", "jobs.manage_fleet", "Pin a worker pool's size, or give it back to autoscaling."
        ),
        Action("stop_worker", "jobs.manage_fleet", "Ask one worker to shut down gracefully."),
    )
)

ACTIONS.update(
    _table(
        Action("view_event", "jobs.view_event", "See events, their payloads and the jobs they created."),
        Action("publish_event", "jobs.publish_event", "Publish an event (its triggers create jobs)."),
        Action("view_event_trigger", "jobs.view_eventtrigger", "See event triggers."),
        Action("create_event_trigger", "jobs.add_eventtrigger", "Create an event trigger."),
        Action("update_event_trigger", "jobs.change_eventtrigger", "Edit an event trigger."),
        Action("delete_event_trigger", "jobs.delete_eventtrigger", "Delete an event trigger."),
        Action("view_workflow", "jobs.view_workflow", "See workflows, their graphs and nodes."),
        Action("schedule_workflow", "jobs.schedule_workflow", "Schedule a workflow."),
        Action("retry_workflow", "jobs.retry_workflow", "Retry a workflow's failed nodes, or one node."),
        Action("cancel_workflow", "jobs.cancel_workflow", "Cancel a workflow, or one node."),
        Action("view_batch", "jobs.view_batch", "See batches and their progress."),
        Action("schedule_batch", "jobs.schedule_batch", "Schedule a batch of jobs.", bulk_limit=100_000),
        Action("retry_batch", "jobs.retry_batch", "Retry a batch's failed jobs."),
        Action("cancel_batch", "jobs.cancel_batch", "Cancel a batch's unfinished jobs."),
    )
)

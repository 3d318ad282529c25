"""Jobdesk's models, one module per aggregate; every model is importable from here."""

from jobs.models.attempts import JobAttempt
from jobs.models.events import Event, EventDelivery, EventTrigger
from jobs.models.fleet import FleetWorker
from jobs.models.flow import FlowChange, FlowOverride, JobKey
from jobs.models.jobs import Job, JobLog, JobQuerySet
from jobs.models.monitoring import Alert, AlertEvent, AlertRule, TaskStats, TaskStatsHistory
from jobs.models.queues import QueueStats, QueueStatsHistory
from jobs.models.recurring import RecurringJob
from jobs.models.workflows import Batch, Workflow, WorkflowNode

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertRule",
    "Batch",
    "Event",
    "EventDelivery",
    "EventTrigger",
    "FleetWorker",
    "FlowChange",
    "FlowOverride",
    "Job",
    "JobAttempt",
    "JobKey",
    "JobLog",
    "JobQuerySet",
    "QueueStats",
    "QueueStatsHistory",
    "RecurringJob",
    "TaskStats",
    "TaskStatsHistory",
    "Workflow",
    "WorkflowNode",
]

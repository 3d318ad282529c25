"""Jobdesk's models, one module per aggregate; every model is importable from here."""

from jobs.models.attempts import JobAttempt
from jobs.models.jobs import Job, JobLog, JobQuerySet
from jobs.models.monitoring import Alert, AlertEvent, AlertRule, TaskStats, TaskStatsHistory
from jobs.models.queues import QueueStats, QueueStatsHistory
from jobs.models.recurring import RecurringJob

__all__ = [
    "Alert",
    "AlertEvent",
    "AlertRule",
    "Job",
    "JobAttempt",
    "JobLog",
    "JobQuerySet",
    "QueueStats",
    "QueueStatsHistory",
    "RecurringJob",
    "TaskStats",
    "TaskStatsHistory",
]

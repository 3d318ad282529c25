"""What every interface shows of each object: one field list, read by REST and GraphQL.

A REST serializer and a GraphQL type are two spellings of the same shape; listing the
fields once keeps them from drifting (a field shown in one and forgotten in the other).
Each list names the object's fields in display order, the computed ones included:
REST and GraphQL each say how they compute those, not whether they show them.
"""

from __future__ import annotations

JOB_FIELDS = (
    "id", "task", "args", "kwargs", "queue", "priority", "status", "attempts", "max_attempts",
    "timeout", "run_at", "created_at", "enqueued_at", "started_at", "finished_at", "duration",
    "progress", "progress_message", "result", "error", "traceback", "worker_name", "tags",
    "correlation_id", "source", "parent", "recurring_job", "scheduled_for", "depends_on",
    "wait_reason",
)  # fmt: skip
"""A job; ``duration``, ``depends_on`` and ``wait_reason`` (flow control's) are computed,
``parent`` and ``recurring_job`` are ids."""

JOB_LOG_FIELDS = ("id", "created_at", "level", "event", "message", "attempt", "user", "interface")
"""One line of a job's timeline; ``user`` is the username."""

QUEUE_FIELDS = (
    "name", "paused", "paused_at", "paused_by", "waiting", "running", "scheduled", "failed",
    "succeeded", "cancelled",
    "processed_total", "succeeded_total", "failed_total", "retried_total", "success_rate",
    "average_runtime_ms", "runtime_p50_ms", "runtime_p95_ms", "runtime_p99_ms",
    "oldest_waiting_at", "last_processed_at", "updated_at",
)  # fmt: skip
"""A queue's stored figures; ``paused_by`` is the username."""

RECURRING_JOB_FIELDS = (
    "id", "name", "task", "args", "kwargs", "queue", "priority", "schedule",
    "schedule_description", "enabled", "start_at", "end_at", "max_concurrent_runs",
    "misfire_policy", "last_run_at", "next_run_at", "run_count", "success_count",
    "failure_count", "skipped_count", "description", "created_at", "updated_at",
)  # fmt: skip
"""A recurring job; ``schedule`` is :func:`jobs.core.schedules.schedule_spec`."""

ALERT_RULE_FIELDS = (
    "id", "name", "kind", "queue", "task", "threshold", "window_minutes", "min_jobs",
    "repeat_minutes", "enabled", "webhook_url", "email_recipients", "description",
    "created_at", "updated_at",
)  # fmt: skip
"""An alert rule, every field the services let a caller edit, plus its id and times."""

POOL_FIELDS = (
    "name", "queues", "worker_class", "concurrency", "min_workers", "max_workers", "pinned",
    "processes", "busy", "slots", "healthy", "unhealthy", "memory_mb", "hosts",
)  # fmt: skip
"""A worker pool (:class:`jobs.services.fleet.PoolView`); ``pinned`` is an operator's size or null."""

FLEET_WORKER_FIELDS = (
    "name", "pool", "host", "pid", "state", "healthy", "failures", "busy", "memory_mb",
    "started_at", "seen_at", "stopped_at", "exit_status", "reason",
)  # fmt: skip
"""One process a pool supervisor started (a FleetWorker row)."""
EVENT_FIELDS = ("id", "event_id", "name", "payload", "created_at", "created_by", "source", "jobs")
"""An event; ``jobs`` is what each trigger made (``[{"trigger", "job", "status"}]``);
``created_by`` is the username."""

EVENT_TRIGGER_FIELDS = (
    "id", "event_name", "task", "filter", "mapping", "queue", "enabled", "description", "created_at",
)  # fmt: skip
"""An admin-editable event trigger."""

WORKFLOW_FIELDS = ("id", "name", "status", "policy", "created_at", "finished_at", "nodes")
"""A workflow; ``nodes`` are WORKFLOW_NODE_FIELDS each."""

WORKFLOW_NODE_FIELDS = (
    "key", "label", "task", "state", "job", "predecessors", "run_on", "pass_result", "added_by",
)  # fmt: skip
"""One node; ``state`` is its job's status or pending/skipped/cancelled, ``job`` its job's id."""

BATCH_FIELDS = (
    "id", "name", "total", "done", "succeeded", "failed", "waiting", "on_complete", "on_success",
    "completed_at", "succeeded_at", "cancelled_at", "complete_job", "success_job", "created_at",
)  # fmt: skip
"""A batch with its progress (done / succeeded / failed / waiting, computed)."""
ATTEMPT_FIELDS = (
    "number", "worker", "started_at", "finished_at", "duration", "outcome", "error",
    "exception_class_path", "traceback",
)  # fmt: skip
"""One attempt of a job (:class:`jobs.models.attempts.Attempt`); ``outcome`` is a job status."""

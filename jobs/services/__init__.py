"""The service layer: the front door every interface calls, and only that.

Admin actions, dashboard buttons, REST views, GraphQL mutations and management commands
parse their input, check the action's permission (:mod:`jobs.services.actions`), call
one function from here, and turn a :class:`~jobs.exceptions.JobsError` into their own
kind of answer. What happens to a job once a worker has it is the engine's
(:mod:`jobs.engine`), below this layer.
"""

from jobs.core.recurring_rules import validate_recurring_job
from jobs.services.alerts import (
    active_alerts,
    create_alert_rule,
    delete_alert_rule,
    get_alert_rule,
    update_alert_rule,
)
from jobs.services.jobs import (
    BulkResult,
    cancel_job,
    cancel_jobs,
    delete_job,
    delete_jobs,
    get_job,
    options_from_request,
    rerun_job,
    retry_job,
    retry_jobs,
    schedule_job,
    schedule_jobs,
)
from jobs.services.operations import empty_queue, purge_jobs, run_job_now
from jobs.services.queues import pause_queue, resume_queue
from jobs.services.recurring import (
    create_recurring_job,
    delete_recurring_job,
    get_recurring_job,
    pause_recurring_job,
    resume_recurring_job,
    trigger_recurring_job,
    update_recurring_job,
)

__all__ = [
    "BulkResult",
    "active_alerts",
    "cancel_job",
    "cancel_jobs",
    "create_alert_rule",
    "create_recurring_job",
    "delete_alert_rule",
    "delete_job",
    "delete_jobs",
    "delete_recurring_job",
    "empty_queue",
    "get_alert_rule",
    "get_job",
    "get_recurring_job",
    "options_from_request",
    "pause_queue",
    "pause_recurring_job",
    "purge_jobs",
    "rerun_job",
    "resume_queue",
    "resume_recurring_job",
    "retry_job",
    "retry_jobs",
    "run_job_now",
    "schedule_job",
    "schedule_jobs",
    "trigger_recurring_job",
    "update_alert_rule",
    "update_recurring_job",
    "validate_recurring_job",
]

"""Read-only queries. Lists that can grow are connections; the rest are plain lists."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch
from graphql import GraphQLError

from jobs import conf, services
from jobs.core import registry
from jobs.exceptions import JobsError
from jobs.graphql import pagination
from jobs.graphql.access import graphql_error, require
from jobs.graphql.limits import LIST_FIELDS, check_first
from jobs.graphql.types import (
    AlertRuleType,
    AlertType,
    JobType,
    QueueMetricsType,
    QueueType,
    RecurringJobType,
    TaskType,
    WorkerType,
)
from jobs.models import AlertRule, Job, JobLog, RecurringJob
from jobs.monitoring import figures, health
from jobs.services import queries as shared
from jobs.services.filters import JobFilter
from jobs.services.queues import get_queue_stats

VIEW_JOB, VIEW_QUEUE, VIEW_RECURRING, VIEW_ALERTS = (
    "view_job",
    "view_queue",
    "view_recurring_job",
    "view_alert_rule",
)


class JobConnection(graphene.relay.Connection):
    class Meta:
        node = JobType


class HealthCheckType(graphene.ObjectType):
    name = graphene.String(required=True)
    ok = graphene.Boolean(required=True)
    detail = graphene.String(required=True)


class HealthType(graphene.ObjectType):
    ok = graphene.Boolean(required=True)
    checks = graphene.List(graphene.NonNull(HealthCheckType), required=True)


def job_rows() -> Any:
    """Jobs with everything a node can ask for fetched in a fixed number of queries."""
    return Job.objects.select_related(
        "recurring_job__crontab", "recurring_job__interval", "recurring_job__clocked"
    ).prefetch_related(Prefetch("logs", queryset=JobLog.objects.select_related("user")), "depends_on")


class Query(graphene.ObjectType):
    job = graphene.Field(JobType, id=graphene.ID(required=True))
    jobs = graphene.ConnectionField(
        JobConnection,
        status=graphene.List(graphene.NonNull(graphene.String)),
        queue=graphene.List(graphene.NonNull(graphene.String)),
        task=graphene.String(),
        recurring_job=graphene.ID(),
        created_after=graphene.DateTime(),
        created_before=graphene.DateTime(),
        finished_after=graphene.DateTime(),
        finished_before=graphene.DateTime(),
        search=graphene.String(),
    )
    queues = graphene.List(graphene.NonNull(QueueType), required=True)
    queue = graphene.Field(QueueType, name=graphene.String(required=True))
    recurring_jobs = graphene.List(graphene.NonNull(RecurringJobType), required=True)
    recurring_job = graphene.Field(RecurringJobType, id=graphene.ID(required=True))
    tasks = graphene.List(graphene.NonNull(TaskType), required=True)
    workers = graphene.List(graphene.NonNull(WorkerType), required=True)
    metrics = graphene.List(graphene.NonNull(QueueMetricsType), required=True)
    health = graphene.Field(HealthType, required=True)
    alert_rules = graphene.List(graphene.NonNull(AlertRuleType), required=True)
    alert_rule = graphene.Field(AlertRuleType, id=graphene.ID(required=True))
    alerts = graphene.List(graphene.NonNull(AlertType), required=True, description="The open alerts.")

    def resolve_job(self, info: Any, id: str) -> Job:
        require(info, VIEW_JOB)
        try:
            return job_rows().get(pk=services.get_job(id).pk)
        except JobsError as exc:
            raise graphql_error(exc) from exc

    def resolve_jobs(self, info: Any, first: int | None = None, after: str | None = None, **filters: Any):
        require(info, VIEW_JOB)
        first = LIST_FIELDS["jobs"] if first is None else first  # the page size the cost rule assumed
        check_first(first)
        found = JobFilter(data=filters, queryset=job_rows())
        if not found.is_valid():
            field, problems = next(iter(found.errors.items()))
            raise GraphQLError(f"{field}: {problems[0]}", extensions={"code": "invalid", "field": field})
        rows, more = pagination.page(found.qs, first, after)
        edges = [JobConnection.Edge(node=job, cursor=pagination.encode_cursor(job)) for job in rows]
        return JobConnection(
            edges=edges,
            page_info=graphene.relay.PageInfo(
                has_next_page=more,
                has_previous_page=bool(after),
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    def resolve_queues(self, info: Any) -> list:
        require(info, VIEW_QUEUE)
        return [get_queue_stats(name) for name in conf.get().QUEUES]

    def resolve_queue(self, info: Any, name: str) -> Any:
        require(info, VIEW_QUEUE)
        try:
            return get_queue_stats(name)
        except JobsError as exc:
            raise graphql_error(exc) from exc

    def resolve_recurring_jobs(self, info: Any) -> list[RecurringJob]:
        require(info, VIEW_RECURRING)
        return list(RecurringJob.objects.select_related("crontab", "interval", "clocked"))

    def resolve_recurring_job(self, info: Any, id: str) -> RecurringJob:
        require(info, VIEW_RECURRING)
        try:
            return services.get_recurring_job(id)
        except JobsError as exc:
            raise graphql_error(exc) from exc

    def resolve_tasks(self, info: Any) -> list[dict[str, Any]]:
        require(info, VIEW_JOB)
        return [task.describe() for task in sorted(registry.all_tasks(), key=lambda task: task.name)]

    def resolve_workers(self, info: Any) -> list:
        require(info, VIEW_QUEUE)
        return shared.list_workers()

    def resolve_metrics(self, info: Any) -> list[dict[str, Any]]:
        require(info, VIEW_QUEUE)
        return figures.queue_metrics()

    def resolve_health(self, info: Any) -> dict[str, Any]:
        require(info, VIEW_QUEUE)
        return health.run_checks().as_dict()

    def resolve_alert_rules(self, info: Any) -> list[AlertRule]:
        require(info, VIEW_ALERTS)
        return list(AlertRule.objects.all())

    def resolve_alert_rule(self, info: Any, id: str) -> AlertRule:
        require(info, VIEW_ALERTS)
        try:
            return services.get_alert_rule(id)
        except JobsError as exc:
            raise graphql_error(exc) from exc

    def resolve_alerts(self, info: Any) -> list:
        require(info, VIEW_ALERTS)
        return list(services.active_alerts())

"""The GraphQL schema, served by ``jobs.graphql.views.GraphQLView`` (no ``GRAPHENE`` setting needed)."""

from __future__ import annotations

import graphene

from jobs.graphql.mutations import alerts, jobs, queues, recurring
from jobs.graphql.queries import Query


class Mutation(graphene.ObjectType):
    schedule_job = jobs.ScheduleJob.Field()
    schedule_jobs = jobs.ScheduleJobs.Field()
    retry_job = jobs.RetryJob.Field()
    retry_jobs = jobs.RetryJobs.Field()
    cancel_job = jobs.CancelJob.Field()
    cancel_jobs = jobs.CancelJobs.Field()
    rerun_job = jobs.RerunJob.Field()
    delete_job = jobs.DeleteJob.Field()
    delete_jobs = jobs.DeleteJobs.Field()
    pause_queue = queues.PauseQueue.Field()
    resume_queue = queues.ResumeQueue.Field()
    create_recurring_job = recurring.CreateRecurringJob.Field()
    update_recurring_job = recurring.UpdateRecurringJob.Field()
    delete_recurring_job = recurring.DeleteRecurringJob.Field()
    trigger_recurring_job = recurring.TriggerRecurringJob.Field()
    pause_recurring_job = recurring.PauseRecurringJob.Field()
    resume_recurring_job = recurring.ResumeRecurringJob.Field()
    create_alert_rule = alerts.CreateAlertRule.Field()
    update_alert_rule = alerts.UpdateAlertRule.Field()
    delete_alert_rule = alerts.DeleteAlertRule.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


# The worker fleet and flow control join the schema with their own queries and mutations.
from jobs.graphql import flow as flow_schema  # noqa: E402
from jobs.graphql.fleet import FleetMutation, FleetQuery  # noqa: E402


class FlowMutation(graphene.ObjectType):
    force_breaker = flow_schema.ForceBreaker.Field()


schema = graphene.Schema(
    query=type("Query", (Query, FleetQuery, flow_schema.FlowQuery), {}),
    mutation=type("Mutation", (Mutation, FleetMutation, FlowMutation), {}),
)

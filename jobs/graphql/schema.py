"""The GraphQL schema, served by ``jobs.graphql.views.GraphQLView`` (no ``GRAPHENE`` setting needed)."""

from __future__ import annotations

import graphene

from jobs.graphql import flow as flow_schema
from jobs.graphql.events import EventMutation, EventQuery
from jobs.graphql.fleet import FleetMutation, FleetQuery
from jobs.graphql.mutations import alerts, jobs, queues, recurring
from jobs.graphql.queries import Query
from jobs.graphql.workflows import WorkflowMutation, WorkflowQuery


class Mutation(EventMutation, WorkflowMutation, graphene.ObjectType):
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


class FlowMutation(graphene.ObjectType):
    force_breaker = flow_schema.ForceBreaker.Field()
    save_flow_override = flow_schema.SaveFlowOverride.Field()
    update_flow_override = flow_schema.UpdateFlowOverride.Field()
    delete_flow_override = flow_schema.DeleteFlowOverride.Field()


class FullQuery(EventQuery, WorkflowQuery, FleetQuery, flow_schema.FlowQuery, Query):
    """Jobs, queues, recurring jobs and alerts; events, workflows and batches; the fleet; flow control."""

    class Meta:
        name = "Query"


class FullMutation(FleetMutation, FlowMutation, Mutation):
    class Meta:
        name = "Mutation"


schema = graphene.Schema(query=FullQuery, mutation=FullMutation)

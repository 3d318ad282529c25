"""The GraphQL schema: ``GRAPHENE["SCHEMA"] = "jobs.graphql.schema.schema"``."""

from __future__ import annotations

import graphene

from jobs.graphql import mutations, recurring_mutations
from jobs.graphql.queries import Query


class Mutation(graphene.ObjectType):
    schedule_job = mutations.ScheduleJob.Field()
    retry_job = mutations.RetryJob.Field()
    cancel_job = mutations.CancelJob.Field()
    pause_queue = mutations.PauseQueue.Field()
    resume_queue = mutations.ResumeQueue.Field()
    create_recurring_job = recurring_mutations.CreateRecurringJob.Field()
    update_recurring_job = recurring_mutations.UpdateRecurringJob.Field()
    delete_recurring_job = recurring_mutations.DeleteRecurringJob.Field()
    trigger_recurring_job = recurring_mutations.TriggerRecurringJob.Field()
    pause_recurring_job = recurring_mutations.PauseRecurringJob.Field()
    resume_recurring_job = recurring_mutations.ResumeRecurringJob.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)

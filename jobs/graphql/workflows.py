"""GraphQL for workflows and batches: queries and actions, through the services."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from jobs.exceptions import JobsError
from jobs.graphql.access import VIA, graphql_error, require
from jobs.graphql.limits import check_first
from jobs.graphql.mutations.base import ServiceMutation, check_bulk
from jobs.graphql.scalars import JSON
from jobs.models import Batch, Workflow, WorkflowNode
from jobs.models.workflows import get_batch, get_workflow
from jobs.services import batches, shapes, workflows


class WorkflowNodeType(DjangoObjectType):
    state = graphene.String(required=True, description="Its job's status, or pending / skipped / cancelled.")
    job = graphene.ID()
    predecessors = graphene.List(graphene.NonNull(graphene.Int), required=True)

    class Meta:
        model = WorkflowNode
        fields = shapes.WORKFLOW_NODE_FIELDS

    def resolve_state(self: WorkflowNode, info: Any) -> str:
        return workflows.node_state(self)

    def resolve_job(self: WorkflowNode, info: Any) -> str | None:
        return str(self.job_id) if self.job_id else None


class WorkflowType(DjangoObjectType):
    id = graphene.ID(required=True)
    nodes = graphene.List(graphene.NonNull(WorkflowNodeType), required=True)

    class Meta:
        model = Workflow
        fields = shapes.WORKFLOW_FIELDS
        convert_choices_to_enum = False

    def resolve_nodes(self: Workflow, info: Any) -> list[WorkflowNode]:
        return workflows.workflow_nodes(self)


class BatchType(DjangoObjectType):
    id = graphene.ID(required=True)
    done = graphene.Int(required=True)
    succeeded = graphene.Int(required=True)
    failed = graphene.Int(required=True)
    waiting = graphene.Int(required=True)
    on_complete = JSON()
    on_success = JSON()
    complete_job = graphene.ID()
    success_job = graphene.ID()

    class Meta:
        model = Batch
        fields = shapes.BATCH_FIELDS

    def _progress(self: Batch) -> dict[str, int]:
        if not hasattr(self, "_progress_counts"):
            self._progress_counts = batches.batch_progress(self.pk)
        return self._progress_counts

    def resolve_done(self: Batch, info: Any) -> int:
        return BatchType._progress(self)["done"]

    def resolve_succeeded(self: Batch, info: Any) -> int:
        return BatchType._progress(self)["succeeded"]

    def resolve_failed(self: Batch, info: Any) -> int:
        return BatchType._progress(self)["failed"]

    def resolve_waiting(self: Batch, info: Any) -> int:
        return BatchType._progress(self)["waiting"]

    def resolve_complete_job(self: Batch, info: Any) -> str | None:
        return str(self.complete_job_id) if self.complete_job_id else None

    def resolve_success_job(self: Batch, info: Any) -> str | None:
        return str(self.success_job_id) if self.success_job_id else None


def _found(getter: Any, value: str) -> Any:
    try:
        return getter(value)
    except JobsError as exc:
        raise graphql_error(exc) from exc


class WorkflowQuery(graphene.ObjectType):
    workflows = graphene.List(
        graphene.NonNull(WorkflowType), required=True, status=graphene.String(), first=graphene.Int()
    )
    workflow = graphene.Field(WorkflowType, id=graphene.ID(required=True))
    batches = graphene.List(graphene.NonNull(BatchType), required=True, first=graphene.Int())
    batch = graphene.Field(BatchType, id=graphene.ID(required=True))

    def resolve_workflows(self, info: Any, status: str | None = None, first: int = 50) -> list[Workflow]:
        require(info, "view_workflow")
        check_first(first)
        return list(workflows.workflows(status)[:first])

    def resolve_workflow(self, info: Any, id: str) -> Workflow:
        require(info, "view_workflow")
        return _found(get_workflow, id)

    def resolve_batches(self, info: Any, first: int = 50) -> list[Batch]:
        require(info, "view_batch")
        check_first(first)
        return list(batches.batches()[:first])

    def resolve_batch(self, info: Any, id: str) -> Batch:
        require(info, "view_batch")
        return _found(get_batch, id)


class ScheduleWorkflow(ServiceMutation):
    class Arguments:
        definition = JSON(required=True, description="A step, chain, group, chord or graph (README).")
        name = graphene.String()
        policy = graphene.String(description="fail_rest (default), continue or ignore.")

    workflow = graphene.Field(WorkflowType)
    action = "schedule_workflow"

    @classmethod
    def perform(cls, user: Any, definition: Any, name: str = "", policy: str = "fail_rest") -> dict[str, Any]:
        workflow = workflows.schedule_workflow(definition, name=name, policy=policy, user=user, via=VIA)
        return {"workflow": workflow}


class _WorkflowAction(ServiceMutation):
    class Meta:
        abstract = True

    class Arguments:
        id = graphene.ID(required=True)

    workflow = graphene.Field(WorkflowType)
    service: Any = None

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        return {"workflow": cls.service(id, user=user, via=VIA)}


class RetryWorkflow(_WorkflowAction):
    action = "retry_workflow"
    service = staticmethod(workflows.retry_workflow)


class CancelWorkflow(_WorkflowAction):
    action = "cancel_workflow"
    service = staticmethod(workflows.cancel_workflow)


class _NodeAction(ServiceMutation):
    class Meta:
        abstract = True

    class Arguments:
        id = graphene.ID(required=True)
        node = graphene.Int(required=True, description="The node's key.")

    workflow = graphene.Field(WorkflowType)
    service: Any = None

    @classmethod
    def perform(cls, user: Any, id: str, node: int) -> dict[str, Any]:
        return {"workflow": cls.service(id, node, user=user, via=VIA)}


class RetryWorkflowNode(_NodeAction):
    action = "retry_workflow"
    service = staticmethod(workflows.retry_workflow_node)


class CancelWorkflowNode(_NodeAction):
    action = "cancel_workflow"
    service = staticmethod(workflows.cancel_workflow_node)


class ScheduleBatch(ServiceMutation):
    class Arguments:
        jobs = graphene.List(graphene.NonNull(JSON), required=True, description="As for scheduleJob.")
        name = graphene.String()
        on_complete = JSON(description="A step run once every job has finished.")
        on_success = JSON(description="A step run once every job has succeeded.")

    batch = graphene.Field(BatchType)
    action = "schedule_batch"

    @classmethod
    def perform(cls, user: Any, jobs: list, name: str = "", **callbacks: Any) -> dict[str, Any]:
        check_bulk("schedule_batch", jobs, "jobs")
        batch = batches.schedule_batch(jobs, name=name, user=user, via=VIA, **callbacks)
        return {"batch": batch}


class _BatchAction(ServiceMutation):
    class Meta:
        abstract = True

    class Arguments:
        id = graphene.ID(required=True)

    batch = graphene.Field(BatchType)
    service: Any = None

    @classmethod
    def perform(cls, user: Any, id: str) -> dict[str, Any]:
        cls.service(id, user=user, via=VIA)
        return {"batch": get_batch(id)}


class RetryBatch(_BatchAction):
    action = "retry_batch"
    service = staticmethod(batches.retry_batch)


class CancelBatch(_BatchAction):
    action = "cancel_batch"
    service = staticmethod(batches.cancel_batch)


class WorkflowMutation(graphene.ObjectType):
    schedule_workflow = ScheduleWorkflow.Field()
    retry_workflow = RetryWorkflow.Field()
    cancel_workflow = CancelWorkflow.Field()
    retry_workflow_node = RetryWorkflowNode.Field()
    cancel_workflow_node = CancelWorkflowNode.Field()
    schedule_batch = ScheduleBatch.Field()
    retry_batch = RetryBatch.Field()
    cancel_batch = CancelBatch.Field()

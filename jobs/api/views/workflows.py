"""``/api/workflows/`` and ``/api/batches/``: schedule, read, retry and cancel."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.pagination import JobCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers.events import (
    BatchSerializer,
    NodeSerializer,
    ScheduleBatchSerializer,
    ScheduleWorkflowSerializer,
    WorkflowSerializer,
)
from jobs.api.views.base import VIA, ApiViewSet
from jobs.exceptions import InvalidArguments
from jobs.models import Batch, Workflow
from jobs.models.workflows import get_batch, get_workflow
from jobs.services import actions, batches, workflows


def _workflow(workflow: Workflow, code: int = status.HTTP_200_OK) -> Response:
    return Response(WorkflowSerializer(workflow, context={"with_nodes": True}).data, status=code)


class WorkflowViewSet(ApiViewSet):
    serializer_class = WorkflowSerializer
    pagination_class = JobCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_workflow",
        retrieve="view_workflow",
        create="schedule_workflow",
        retry="retry_workflow",
        cancel="cancel_workflow",
        retry_node="retry_workflow",
        cancel_node="cancel_workflow",
    )
    throttled_actions = frozenset({"create", "retry", "cancel", "retry_node", "cancel_node"})

    def get_queryset(self) -> QuerySet[Workflow]:
        return workflows.workflows(self.request.query_params.get("status") or None)

    @extend_schema(responses={200: WorkflowSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WorkflowSerializer(page, many=True).data)

    @extend_schema(
        request=ScheduleWorkflowSerializer, responses={201: WorkflowSerializer, **errors(400, 429)}
    )
    def create(self, request: Request) -> Response:
        body = ScheduleWorkflowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        workflow = workflows.schedule_workflow(
            data["definition"], name=data.get("name", ""), policy=data["policy"], user=request.user, via=VIA
        )
        return _workflow(workflow, status.HTTP_201_CREATED)

    @extend_schema(responses={200: WorkflowSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return _workflow(get_workflow(pk))

    @extend_schema(request=None, responses={200: WorkflowSerializer, **errors(404, 409)})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        return _workflow(workflows.retry_workflow(pk, user=request.user, via=VIA))

    @extend_schema(request=None, responses={200: WorkflowSerializer, **errors(404, 409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return _workflow(workflows.cancel_workflow(pk, user=request.user, via=VIA))

    @extend_schema(request=NodeSerializer, responses={200: WorkflowSerializer, **errors(400, 404, 409)})
    @action(detail=True, methods=["post"], url_path="retry-node")
    def retry_node(self, request: Request, pk: str) -> Response:
        body = NodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _workflow(
            workflows.retry_workflow_node(pk, body.validated_data["node"], user=request.user, via=VIA)
        )

    @extend_schema(request=NodeSerializer, responses={200: WorkflowSerializer, **errors(400, 404, 409)})
    @action(detail=True, methods=["post"], url_path="cancel-node")
    def cancel_node(self, request: Request, pk: str) -> Response:
        body = NodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _workflow(
            workflows.cancel_workflow_node(pk, body.validated_data["node"], user=request.user, via=VIA)
        )


class BatchViewSet(ApiViewSet):
    serializer_class = BatchSerializer
    pagination_class = JobCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_batch",
        retrieve="view_batch",
        create="schedule_batch",
        retry="retry_batch",
        cancel="cancel_batch",
    )
    throttled_actions = frozenset({"create", "retry", "cancel"})

    def get_queryset(self) -> QuerySet[Batch]:
        return batches.batches()

    @extend_schema(responses={200: BatchSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BatchSerializer(page, many=True).data)

    @extend_schema(request=ScheduleBatchSerializer, responses={201: BatchSerializer, **errors(400, 429)})
    def create(self, request: Request) -> Response:
        body = ScheduleBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        limit = actions.bulk_limit("schedule_batch")
        if len(data["jobs"]) > limit:
            raise InvalidArguments(
                f"A batch request holds at most {limit} jobs.", fields={"jobs": f"over {limit}"}
            )
        batch = batches.schedule_batch(
            data["jobs"],
            name=data.get("name", ""),
            on_complete=data["on_complete"],
            on_success=data["on_success"],
            user=request.user,
            via=VIA,
        )
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: BatchSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(BatchSerializer(get_batch(pk)).data)

    @extend_schema(request=None, responses={200: BatchSerializer, **errors(404, 409)})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        batches.retry_batch(pk, user=request.user, via=VIA)
        return Response(BatchSerializer(get_batch(pk)).data)

    @extend_schema(request=None, responses={200: BatchSerializer, **errors(404, 409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        batches.cancel_batch(pk, user=request.user, via=VIA)
        return Response(BatchSerializer(get_batch(pk)).data)

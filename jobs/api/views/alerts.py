"""``/api/alert-rules/``: create, read, edit and delete alert rules; ``/api/alerts/``: the open alerts."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from jobs import services
from jobs.api.pagination import AlertCursorPagination, NameCursorPagination
from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.serializers import AlertRuleSerializer, AlertRuleWriteSerializer, AlertSerializer
from jobs.api.views.base import VIA, ApiViewSet
from jobs.models import Alert, AlertRule


class AlertRuleViewSet(ApiViewSet):
    """Rules the housekeeper evaluates; a change applies at its next pass."""

    serializer_class = AlertRuleSerializer
    pagination_class = NameCursorPagination
    lookup_value_regex = "[^/]+"
    permission_map = permissions_for(
        list="view_alert_rule",
        retrieve="view_alert_rule",
        create="create_alert_rule",
        partial_update="update_alert_rule",
        destroy="delete_alert_rule",
    )
    throttled_actions = frozenset({"create", "partial_update", "destroy"})

    def get_queryset(self) -> QuerySet[AlertRule]:
        return AlertRule.objects.all()

    @extend_schema(responses={200: AlertRuleSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AlertRuleSerializer(page, many=True).data)

    @extend_schema(request=AlertRuleWriteSerializer, responses={201: AlertRuleSerializer, **errors(400, 429)})
    def create(self, request: Request) -> Response:
        body = AlertRuleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = services.create_alert_rule(**body.validated_data)
        return Response(AlertRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: AlertRuleSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AlertRuleSerializer(services.get_alert_rule(pk)).data)

    @extend_schema(
        request=AlertRuleWriteSerializer(partial=True),
        responses={200: AlertRuleSerializer, **errors(400, 404, 429)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        rule = services.get_alert_rule(pk)
        body = AlertRuleWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        rule = services.update_alert_rule(rule.pk, **body.validated_data)
        return Response(AlertRuleSerializer(rule).data)

    @extend_schema(
        responses={204: None, **errors(404, 429)}, description="Its alerts and their history go too."
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_alert_rule(pk, user=request.user, via=VIA)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlertViewSet(ApiViewSet):
    """The alerts firing now (resolved ones are history, seen through the dashboard)."""

    serializer_class = AlertSerializer
    pagination_class = AlertCursorPagination
    permission_map = permissions_for(list="view_alert_rule")

    def get_queryset(self) -> QuerySet[Alert]:
        return services.active_alerts()

    @extend_schema(responses={200: AlertSerializer(many=True), **errors(400)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AlertSerializer(page, many=True).data)

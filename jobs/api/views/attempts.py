"""``/api/jobs/<id>/attempts/``: a job's attempt history, first to last."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from jobs.api.permissions import permissions_for
from jobs.api.schema import errors, extend_schema
from jobs.api.views.base import ApiViewSet
from jobs.services import shapes
from jobs.services.attempts import job_attempts


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    worker = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    outcome = serializers.CharField(help_text="The job status the attempt ended in, or started.")
    error = serializers.CharField()
    exception_class_path = serializers.CharField(
        help_text="e.g. builtins.ValueError; empty if it didn't fail."
    )
    traceback = serializers.CharField()

    class Meta:
        fields = shapes.ATTEMPT_FIELDS


class JobAttemptsViewSet(ApiViewSet):
    permission_map = permissions_for(list="view_job")
    serializer_class = AttemptSerializer

    @extend_schema(responses={200: AttemptSerializer(many=True), **errors(400, 404)})
    def list(self, request: Request, pk: str) -> Response:
        attempts = [attempt.as_dict() for attempt in job_attempts(pk)]
        return Response(AttemptSerializer(attempts, many=True).data)

"""The worker fleet's shapes (:data:`jobs.services.shapes.POOL_FIELDS`, ``FLEET_WORKER_FIELDS``)."""

from __future__ import annotations

from rest_framework import serializers

from jobs.api.serializers.base import StrictSerializer
from jobs.models import FleetWorker
from jobs.services.shapes import FLEET_WORKER_FIELDS


class PoolSerializer(serializers.Serializer):
    """Its fields are :data:`~jobs.services.shapes.POOL_FIELDS`, in that order (a test holds it)."""

    name = serializers.CharField()
    queues = serializers.ListField(child=serializers.CharField())
    worker_class = serializers.CharField()
    concurrency = serializers.IntegerField()
    min_workers = serializers.IntegerField()
    max_workers = serializers.IntegerField()
    pinned = serializers.IntegerField(
        allow_null=True, help_text="A size an operator pinned; null: autoscaling."
    )
    processes = serializers.IntegerField()
    busy = serializers.IntegerField(help_text="Slots running a job now.")
    slots = serializers.IntegerField()
    healthy = serializers.IntegerField()
    unhealthy = serializers.IntegerField()
    memory_mb = serializers.FloatField()
    hosts = serializers.ListField(child=serializers.CharField())


class FleetWorkerSerializer(serializers.ModelSerializer):
    class Meta:
        model = FleetWorker
        fields = FLEET_WORKER_FIELDS
        read_only_fields = FLEET_WORKER_FIELDS


class ResizeSerializer(StrictSerializer):
    workers = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        help_text="Workers per host (each of the pool's concurrency); null: autoscale.",
    )

"""Queues: the stored figures of each configured queue."""

from __future__ import annotations

from rest_framework import serializers

from jobs.models import QueueStats
from jobs.services.shapes import QUEUE_FIELDS


class QueueSerializer(serializers.ModelSerializer):
    paused_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    success_rate = serializers.FloatField(read_only=True, allow_null=True)
    average_runtime_ms = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = QueueStats
        fields = QUEUE_FIELDS
        read_only_fields = QUEUE_FIELDS

"""Read-only shapes: registered tasks, workers, per-queue metrics, health checks."""

from __future__ import annotations

from rest_framework import serializers


class TaskSerializer(serializers.Serializer):
    name = serializers.CharField()
    signature = serializers.CharField()
    parameters = serializers.ListField(child=serializers.DictField())
    queue = serializers.CharField(allow_null=True, help_text="Null: chosen by the job's priority.")
    priority = serializers.CharField()
    max_attempts = serializers.IntegerField()
    backoff = serializers.DictField()
    timeout = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_blank=True)


class WorkerSerializer(serializers.Serializer):
    name = serializers.CharField()
    hostname = serializers.CharField()
    pid = serializers.IntegerField(allow_null=True)
    queues = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField()
    current_job_id = serializers.CharField(allow_null=True)
    birth = serializers.DateTimeField(allow_null=True)
    last_heartbeat = serializers.DateTimeField(allow_null=True)
    successful_jobs = serializers.IntegerField()
    failed_jobs = serializers.IntegerField()
    total_working_time = serializers.FloatField()
    lost = serializers.BooleanField()


class QueueMetricsSerializer(serializers.Serializer):
    queue = serializers.CharField()
    paused = serializers.BooleanField()
    depth = serializers.IntegerField()
    running = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    processed = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed_total = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    throughput_per_minute = serializers.FloatField()
    runtime_p50 = serializers.FloatField(allow_null=True)
    runtime_p95 = serializers.FloatField(allow_null=True)
    runtime_p99 = serializers.FloatField(allow_null=True)
    wait_p50 = serializers.FloatField(allow_null=True)
    wait_p95 = serializers.FloatField(allow_null=True)


class HealthCheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField(allow_blank=True)


class LiveSerializer(serializers.Serializer):
    ok = serializers.BooleanField()


class HealthSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checks = HealthCheckSerializer(many=True)

"""``/api/``: the REST API, its OpenAPI schema and the Swagger UI."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from jobs.api.docs import DocsView, SchemaView
from jobs.api.views.alerts import AlertRuleViewSet, AlertViewSet
from jobs.api.views.attempts import JobAttemptsViewSet
from jobs.api.views.events import EventTriggerViewSet, EventViewSet
from jobs.api.views.fleet import FleetWorkerViewSet, PoolViewSet
from jobs.api.views.flow import FlowOverrideViewSet, FlowViewSet
from jobs.api.views.jobs import JobViewSet
from jobs.api.views.queues import QueueViewSet
from jobs.api.views.recurring import RecurringJobViewSet
from jobs.api.views.system import HealthViewSet, LiveView, MetricsViewSet, TaskViewSet, WorkerViewSet
from jobs.api.views.workflows import BatchViewSet, WorkflowViewSet

router = SimpleRouter()
router.include_format_suffixes = False
router.register("jobs", JobViewSet, basename="job")
router.register("queues", QueueViewSet, basename="queue")
router.register("recurring-jobs", RecurringJobViewSet, basename="recurring-job")
router.register("alert-rules", AlertRuleViewSet, basename="alert-rule")
router.register("alerts", AlertViewSet, basename="alert")
router.register("tasks", TaskViewSet, basename="task")
router.register("workers", WorkerViewSet, basename="worker")
router.register("metrics", MetricsViewSet, basename="metrics")
router.register("health", HealthViewSet, basename="health")
router.register("pools", PoolViewSet, basename="pool")
router.register("fleet-workers", FleetWorkerViewSet, basename="fleet-worker")
router.register("flow/overrides", FlowOverrideViewSet, basename="flow-override")
router.register("flow", FlowViewSet, basename="flow")
router.register("events", EventViewSet, basename="event")
router.register("event-triggers", EventTriggerViewSet, basename="event-trigger")
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("batches", BatchViewSet, basename="batch")

api_patterns = [
    path("health/live", LiveView.as_view(), name="api-live"),
    path("jobs/<str:pk>/attempts/", JobAttemptsViewSet.as_view({"get": "list"}), name="job-attempts"),
    path("flow/", FlowViewSet.as_view({"get": "overview"}), name="flow"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("schema/", SchemaView.as_view(api_patterns=api_patterns), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    *api_patterns,
]

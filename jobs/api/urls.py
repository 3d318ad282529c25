"""``/api/``: the REST API, its OpenAPI schema and the Swagger UI."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from jobs.api.views.alerts import AlertRuleViewSet, AlertViewSet
from jobs.api.views.attempts import JobAttemptsViewSet
from jobs.api.views.jobs import JobViewSet
from jobs.api.views.queues import QueueViewSet
from jobs.api.views.recurring import RecurringJobViewSet
from jobs.api.views.system import HealthViewSet, MetricsViewSet, TaskViewSet, WorkerViewSet

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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

# A job's attempt history (issue 17).
urlpatterns.append(
    path(
        "jobs/<str:pk>/attempts/",
        JobAttemptsViewSet.as_view({"get": "list"}),
        name="job-attempts",
    )
)

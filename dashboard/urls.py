"""Dashboard URLs: queues are named by name, jobs by their UUID."""

from django.urls import path

from dashboard.views import actions, feeds, flows, live, metrics, pages

app_name = "dashboard"

urlpatterns = [
    path("", pages.overview, name="overview"),
    path("feed/", feeds.overview_feed, name="overview-feed"),
    path("charts/<str:kind>.svg", feeds.chart, name="chart"),
    path("jobs/", pages.job_list, name="jobs"),
    path("jobs/rows/", live.job_rows, name="jobs-rows"),
    path("jobs/bulk/", actions.bulk_action, name="jobs-bulk"),
    path("jobs/purge/", actions.purge, name="jobs-purge"),
    path("jobs/<str:job_id>/", pages.job_detail, name="job"),
    path("jobs/<str:job_id>/feed/", live.job_feed, name="job-feed"),
    path("jobs/<str:job_id>/<str:action>/", actions.job_action, name="job-action"),
    path("queues/", pages.queue_list, name="queues"),
    path("queues/<str:name>/", pages.queue_detail, name="queue"),
    path("queues/<str:name>/<str:action>/", actions.queue_action, name="queue-action"),
    path("recurring/", pages.recurring_list, name="recurring"),
    path("recurring/<str:pk>/<str:action>/", actions.recurring_action, name="recurring-action"),
    path("workers/", pages.worker_list, name="workers"),
    path("failed/", pages.failed_list, name="failed"),
    path("metrics/", metrics.task_metrics_page, name="metrics"),
    path("failed/retry/", actions.failed_group_retry, name="failed-retry"),
    path("events/", flows.event_list, name="events"),
    path("workflows/", flows.workflow_list, name="workflows"),
    path("workflows/<str:workflow_id>/", flows.workflow_detail, name="workflow"),
    path("workflows/<str:workflow_id>/feed/", flows.workflow_feed, name="workflow-feed"),
    path(
        "workflows/<str:workflow_id>/nodes/<int:key>/<str:action>/",
        flows.node_action,
        name="workflow-node-action",
    ),
    path("workflows/<str:workflow_id>/<str:action>/", flows.workflow_action, name="workflow-action"),
    path("batches/", flows.batch_list, name="batches"),
    path("batches/<str:batch_id>/", flows.batch_detail, name="batch"),
    path("batches/<str:batch_id>/<str:action>/", flows.batch_action, name="batch-action"),
]

# The worker fleet (dashboard.views.fleet).
from dashboard.views import fleet  # noqa: E402

urlpatterns += [
    path("fleet/", fleet.fleet_page, name="fleet"),
    path("fleet/pools/<str:name>/resize/", fleet.resize, name="fleet-resize"),
    path("fleet/workers/<str:name>/stop/", fleet.stop, name="fleet-stop"),
]

# Circuit breakers (dashboard.views.breakers).
from dashboard.views import breakers  # noqa: E402

urlpatterns += [
    path("breakers/", breakers.breaker_list, name="breakers"),
    path("breakers/<path:name>/<str:action>/", breakers.breaker_action, name="breaker-action"),
]

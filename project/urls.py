"""URLs of the example project: admin, dashboard, REST API, GraphQL, django-rq pages.

django-rq's pages come through ``jobs.admin.rq_pages`` (read-only, Jobdesk's view
permissions), never ``django_rq.urls``, whose views change RQ for any staff user.
"""

from django.contrib import admin
from django.urls import include, path

from jobs.graphql.views import GraphQLView
from jobs.monitoring.prometheus import metrics_view

urlpatterns = [
    path("metrics", metrics_view, name="jobs-metrics"),
    path("admin/django-rq/", include("jobs.admin.rq_pages")),
    path("admin/", admin.site.urls),
    path("api/", include("jobs.api.urls")),
    path("graphql/", GraphQLView.as_view(), name="jobs-graphql"),
    path("dashboard/", include("dashboard.urls")),
]

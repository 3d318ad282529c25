"""Every surface of Jobdesk in one include: ``path("", include("jobs.urls"))``.

=====================  ==============================================================
``/``                  redirects to the dashboard (the admin's "View site" goes here)
``/favicon.ico``       Jobdesk's icon
``/metrics``           Prometheus text (token or allowed addresses)
``/admin/django-rq/``  django-rq's pages, read-only (namespace ``django_rq``)
``/api/``              REST API; ``/api/schema/``, ``/api/docs/``, ``/api/health/live``
``/graphql/``          GraphQL and GraphiQL
``/dashboard/``        the dashboard (namespace ``dashboard``)
=====================  ==============================================================

The admin stays the host's (``path("admin/", admin.site.urls)``), listed *after* this
include: the admin's catch-all pattern would otherwise answer ``/admin/django-rq/``
with a 404 (``python manage.py check`` says so, ``jobs.E008``). django-rq's pages come
through ``jobs.admin.rq_pages``, never ``django_rq.urls``, whose views change RQ for
any staff user. A host that wants other paths includes the modules one by one, as this
file does.
"""

from django.urls import include, path

from jobs import site
from jobs.graphql.views import GraphQLView
from jobs.monitoring.prometheus import metrics_view

urlpatterns = [
    path("", site.home, name="jobs-home"),
    path("favicon.ico", site.favicon, name="jobs-favicon"),
    path("metrics", metrics_view, name="jobs-metrics"),
    path("admin/django-rq/", include("jobs.admin.rq_pages")),
    path("api/", include("jobs.api.urls")),
    path("graphql/", GraphQLView.as_view(), name="jobs-graphql"),
    path("dashboard/", include("dashboard.urls")),
]

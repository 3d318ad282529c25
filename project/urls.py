"""URLs of the example project: admin, dashboard, REST API, GraphQL, django-rq pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/django-rq/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
]

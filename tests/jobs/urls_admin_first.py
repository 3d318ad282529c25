"""A host URLconf with the admin before ``jobs.urls``: its catch-all hides django-rq's pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("", include("jobs.urls"))]

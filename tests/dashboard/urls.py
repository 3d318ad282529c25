"""Only the URLs the dashboard tests need, so they don't depend on other surfaces' routes."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", include("dashboard.urls")),
]

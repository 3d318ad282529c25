"""URLs of the example project: Jobdesk's surfaces (``jobs.urls``), then the admin.

Exactly what the README tells a host project to write.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("jobs.urls")),
    path("admin/", admin.site.urls),
]

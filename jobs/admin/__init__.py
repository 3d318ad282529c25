"""The Django admin for Jobdesk, one module per concept."""

from django.contrib import admin

from . import alerts, jobs, queues, recurring  # noqa: F401
from .third_party import close_side_doors
from .workers import add_to_index

add_to_index(admin.site)
close_side_doors(admin.site)

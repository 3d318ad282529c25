"""The Django admin for Jobdesk, one module per concept."""

from django.contrib import admin

from jobs.admin import alerts, attempts, events, fleet, flow, jobs, queues, recurring, workflows  # noqa: F401
from jobs.admin.third_party import close_side_doors
from jobs.admin.workers import add_to_index

add_to_index(admin.site)
close_side_doors(admin.site)

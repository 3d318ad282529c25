"""The pieces of django-rq that the admin mounts or takes down.

The admin shows django-rq's pages read-only (:mod:`jobs.admin.rq_pages`) and removes
its "Django-RQ" admin entry (:mod:`jobs.admin.third_party`); only the engine imports
django-rq, so those modules get what they need from here.
"""

from __future__ import annotations

from django.db.models import Model
from django.urls import URLPattern
from django_rq.settings import get_queues_list
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns
from rq.exceptions import NoSuchJobError

MISSING = (IndexError, NoSuchJobError)
"""What django-rq's views raise for a queue index or job id that doesn't exist."""


def url_patterns() -> list[URLPattern]:
    """Every view django-rq mounts (its API and its admin pages), in its own order."""
    return [*get_api_urlpatterns(), *get_admin_urlpatterns()]


def dashboard_model() -> type[Model]:
    """django-rq's admin entry, registered on import (whatever the app order)."""
    import django_rq.admin  # noqa: F401  (registers the entry the caller takes off)
    from django_rq.models import Dashboard

    return Dashboard


def queue_page_index(name: str) -> int | None:
    """django-rq's index for a queue: its position in the sorted ``RQ_QUEUES``."""
    names = [queue["name"] for queue in get_queues_list()]
    return names.index(name) if name in names else None

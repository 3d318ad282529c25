"""Admin deletes that go through a service, never the ORM's default delete.

Django's delete page and its "delete selected" action stay (they list what goes with
an object), but the deleting itself is the service's, so it is logged and refused like
any other interface's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from jobs.exceptions import JobsError


class DeletesThroughService:
    """A ModelAdmin mixin: each object is deleted by ``delete_service(pk, user=, via=)``."""

    delete_service: Callable[..., Any]

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._delete_through_service(request, obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for pk in queryset.values_list("pk", flat=True):
            self._delete_through_service(request, pk)

    def _delete_through_service(self, request: HttpRequest, pk: Any) -> None:
        """One gone meanwhile, or refused, is a message, not a 500."""
        try:
            type(self).delete_service(pk, user=request.user, via="admin")
        except JobsError as exc:
            self.message_user(request, exc.message, messages.ERROR)

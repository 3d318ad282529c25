"""The job list's filters, shared by the REST API, GraphQL and the dashboard.

Every filter uses an indexed column (status, queue, task, recurring job, created and
finished time), so a filtered page stays fast at millions of rows. Invalid values are
form errors, never server errors.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from jobs import conf
from jobs.core.rules import EARLIEST, LATEST, in_window
from jobs.core.states import JobStatus, Priority
from jobs.models import Job, RecurringJob


def _queue_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in conf.get().QUEUES]


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO time within :data:`jobs.core.rules.EARLIEST`–:data:`~jobs.core.rules.LATEST`.

    ``9999-12-31T23:59:59-12:00`` parses, but no database adapter can convert it to UTC
    (``OverflowError`` when the query runs): refused here as a form error instead.
    """

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None and not in_window(value):
            raise ValidationError(f"Give a time between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.")


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class JobFilter(django_filters.FilterSet):
    # Plain columns, no joins: DISTINCT would only stop PostgreSQL from walking an index.
    status = django_filters.MultipleChoiceFilter(choices=JobStatus.choices, distinct=False)
    queue = django_filters.MultipleChoiceFilter(choices=_queue_choices, distinct=False)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    task = django_filters.CharFilter(field_name="task")
    recurring_job = django_filters.ModelChoiceFilter(queryset=RecurringJob.objects.all())
    correlation_id = django_filters.CharFilter(field_name="correlation_id")
    tag = django_filters.CharFilter(method="filter_tag")
    created_after = BoundedIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = BoundedIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    finished_after = BoundedIsoDateTimeFilter(field_name="finished_at", lookup_expr="gte")
    finished_before = BoundedIsoDateTimeFilter(field_name="finished_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Job
        fields: list[str] = []

    def filter_tag(self, queryset: QuerySet[Job], name: str, value: str) -> QuerySet[Job]:
        # A JSON list holds tags; matching the quoted tag works on SQLite and PostgreSQL alike.
        return queryset.filter(tags__icontains=f'"{value}"')

    def filter_search(self, queryset: QuerySet[Job], name: str, value: str) -> QuerySet[Job]:
        """An id finds that job; other text matches the task name, the error, the arguments
        (as JSON text, so ``"acme"`` or ``42`` finds ``{"customer": "acme", "id": 42}``) or a tag."""
        value = value.strip()
        if not value:
            return queryset
        try:
            return queryset.filter(pk=uuid.UUID(value))
        except ValueError:
            text = Q(task__icontains=value) | Q(error__icontains=value)
            return queryset.filter(
                text | Q(args__icontains=value) | Q(kwargs__icontains=value) | Q(tags__icontains=value)
            )

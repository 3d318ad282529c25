"""Changelist pieces that stay fast at a million jobs.

Django's paginator counts the whole filtered queryset and ``date_hierarchy`` runs a
``DISTINCT date_trunc`` over it; both scan every matching row. Here the count is an
estimate (PostgreSQL's planner statistics) for the unfiltered list and a count capped
at :data:`COUNT_CAP` rows otherwise, and the year drill-down reads only the oldest and
newest ``created_at`` (two index lookups). The queue and task filters take their
choices from settings and the task registry, not from a ``DISTINCT`` over the jobs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property

from jobs import conf
from jobs.core.registry import task_names
from jobs.core.rules import in_window

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A count that never scans more than ``COUNT_CAP`` rows."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        estimate = _table_estimate(queryset)
        if estimate is not None and estimate > COUNT_CAP:
            return estimate
        return queryset.order_by()[: COUNT_CAP + 1].count()


def _table_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's row estimate for an unfiltered queryset, else None."""
    if queryset.query.where or connections[queryset.db].vendor != "postgresql":
        return None
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else None


class CreatedYearFilter(admin.SimpleListFilter):
    """Drill down by year, then month, without aggregating over the filtered rows."""

    title = "created (year / month)"
    parameter_name = "created"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        bounds = model_admin.model.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            return []
        years = range(bounds["last"].year, bounds["first"].year - 1, -1)
        choices = [(str(year), str(year)) for year in years]
        year = (self.value() or "").split("-")[0]
        if year.isdigit():
            choices += [(f"{year}-{month:02d}", f"{year}-{month:02d}") for month in range(1, 13)]
        return choices

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        value = self.value() or ""
        parts = value.split("-")
        if not all(part.isdigit() for part in parts) or not 1 <= len(parts) <= 2:
            return queryset
        year, month = int(parts[0]), int(parts[1]) if len(parts) == 2 else None
        if not 1 <= year <= 9998 or (month is not None and not 1 <= month <= 12):
            return queryset.none()
        start = datetime(year, month or 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC) if month in (None, 12) else start.replace(month=month + 1)
        return queryset.filter(created_at__gte=start, created_at__lt=end)


class BoundedDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date filter, refusing times no database can convert (``?e=1``, not a 500).

    The links it draws are always fine; a hand-made ``created_at__gte=9999-12-31T23:59-12:00``
    parsed, then raised ``OverflowError`` when the query ran.
    """

    def queryset(self, request: Any, queryset: QuerySet) -> QuerySet:
        for value in self.used_parameters.values():
            for text in value if isinstance(value, list) else [value]:
                if not _parses_in_window(str(text)):
                    raise IncorrectLookupParameters(f"{str(text)[:40]!r} is out of range.")
        return super().queryset(request, queryset)


def _parses_in_window(text: str) -> bool:
    """Unparseable text is Django's to refuse; a parseable time must lie in the window."""
    try:
        at = parse_datetime(text)
    except ValueError:
        return False
    return at is None or in_window(at)


class QueueFilter(admin.SimpleListFilter):
    """Choices from settings, not a DISTINCT over the jobs table."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, name) for name in conf.get().QUEUES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(queue=self.value()) if self.value() else queryset


class TaskFilter(admin.SimpleListFilter):
    """Choices from the task registry, not a DISTINCT over the jobs table."""

    title = "task"
    parameter_name = "task"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, name) for name in task_names()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(task=self.value()) if self.value() else queryset

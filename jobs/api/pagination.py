"""Cursor pagination: page 10,000 costs what page 1 costs (an indexed range, no OFFSET)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class JobCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LogCursorPagination(CursorPagination):
    ordering = ("created_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class RecurringCursorPagination(CursorPagination):
    ordering = ("name",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

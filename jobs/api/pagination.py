"""Cursor pagination: page 10,000 costs what page 1 costs (an indexed range, no OFFSET).

DRF's cursor carries the last row's ordering value as text and puts it into the filter
unchecked, so a forged cursor naming no date (or a date no database can hold) failed
at query time with a 500. Here the position is checked first. A cursor that doesn't
decode or doesn't fit is bad input on the ``cursor`` parameter, a 400 (DRF answers 404).
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from jobs.core.rules import EARLIEST, LATEST, is_storable_text


def is_datetime_position(position: str) -> bool:
    try:
        when = parse_datetime(position)
    except ValueError:
        return False
    return when is not None and when.tzinfo is not None and EARLIEST <= when <= LATEST


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return False
    return True


class CheckedCursorPagination(CursorPagination):
    """Refuses a cursor whose position doesn't fit the first ordering field."""

    position_is_datetime = True

    def decode_cursor(self, request: Any) -> Any:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None and not _is_base64(raw):
            raise self._invalid()  # DRF's decoder skips what isn't base64: "%%%" read as page one
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise self._invalid() from exc
        position = cursor.position if cursor is not None else None
        if position is not None and not self.is_valid_position(position):
            raise self._invalid()
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: "Invalid cursor: use a next or previous link as given."}
        )

    def is_valid_position(self, position: str) -> bool:
        if not is_storable_text(position):
            return False
        return is_datetime_position(position) if self.position_is_datetime else True


class JobCursorPagination(CheckedCursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LogCursorPagination(CheckedCursorPagination):
    ordering = ("created_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class NameCursorPagination(CheckedCursorPagination):
    """Recurring jobs and alert rules, by their unique name."""

    ordering = ("name",)
    position_is_datetime = False
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class AlertCursorPagination(CheckedCursorPagination):
    ordering = ("-started_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

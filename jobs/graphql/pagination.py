"""Keyset pagination for the ``jobs`` connection: page 10,000 costs what page 1 costs.

The cursor is the last row's ``(created_at, id)``; the next page starts strictly after
it in the ``-created_at, -id`` order, which the ``job_created`` index serves.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from django.db.models import Q, QuerySet
from graphql import GraphQLError

from jobs.core.rules import EARLIEST, LATEST
from jobs.models import Job


def encode_cursor(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at.isoformat()}|{job.pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Raises: GraphQLError (code ``invalid_cursor``) for anything this module didn't make."""
    try:
        created, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        when = datetime.fromisoformat(created)
        if when.tzinfo is None or not EARLIEST <= when <= LATEST:
            raise ValueError("not a time this module wrote")
        return when, uuid.UUID(pk)
    except (ValueError, UnicodeError) as exc:
        raise GraphQLError("Invalid cursor.", extensions={"code": "invalid_cursor"}) from exc


def page(queryset: QuerySet[Job], first: int, after: str | None) -> tuple[list[Job], bool]:
    """Up to ``first`` jobs after the cursor, and whether more follow."""
    queryset = queryset.order_by("-created_at", "-id")
    if after:
        created, pk = decode_cursor(after)
        queryset = queryset.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    rows = list(queryset[: first + 1])
    return rows[:first], len(rows) > first

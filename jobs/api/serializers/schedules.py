"""The recurring ``schedule`` object in OpenAPI: one shape per kind, each with an example.

The shapes are those :func:`jobs.core.recurring_rules.build_schedule` reads and
:func:`jobs.core.schedules.schedule_spec` writes; the field names, periods and the
defaults come from there, so the document can't name a field the services refuse.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.core.schedules import CRON_FIELDS, PERIODS


def _shape(kind: str, properties: dict[str, Any], required: list[str], example: dict[str, Any]) -> dict:
    inner = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:  # OpenAPI 3.0 refuses an empty list
        inner["required"] = required
    return {
        "title": kind,
        "type": "object",
        "properties": {kind: inner},
        "required": [kind],
        "additionalProperties": False,
        "example": {kind: example},
    }


CRONTAB = _shape(
    "crontab",
    {
        **{
            name: {"type": "string", "default": "*", "description": f"cron {name.replace('_', ' ')}"}
            for name in CRON_FIELDS
        },
        "timezone": {"type": "string", "default": "UTC", "description": "IANA zone the times are local to"},
    },
    [],
    {
        "minute": "0",
        "hour": "6",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "*",
        "timezone": "America/Sao_Paulo",
    },
)
INTERVAL = _shape(
    "interval",
    {
        "every": {"type": "integer", "minimum": 1},
        "period": {"type": "string", "enum": list(PERIODS), "default": "seconds"},
    },
    ["every"],
    {"every": 15, "period": "minutes"},
)
CLOCKED = _shape(
    "clocked",
    {"clocked_time": {"type": "string", "format": "date-time", "description": "with its UTC offset"}},
    ["clocked_time"],
    {"clocked_time": "2030-01-01T09:00:00+00:00"},
)
SCHEDULE = {
    "description": "Exactly one schedule: a crontab (local to its timezone), an interval "
    "(anchored at start_at, else at creation) or one clocked time.",
    "oneOf": [CRONTAB, INTERVAL, CLOCKED],
}


@extend_schema_field(SCHEDULE)
class ScheduleField(serializers.DictField):
    """An object the services check (``build_schedule``); documented here by shape."""

    child = serializers.DictField()

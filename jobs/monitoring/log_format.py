"""Structured log lines: ``key=value`` (the default) or one JSON object per line.

Jobdesk's lifecycle lines already read ``job_id=… task=… queue=… attempt=… duration=…
event=…``; :class:`JobsFormatter` keeps them so for people (``JOBS['LOG_FORMAT'] = "kv"``)
or turns every pair into a JSON field for log pipelines (``"json"``), with numbers as
numbers. Fields passed with ``extra={"job_id": …}`` are added too. Wire it in
``LOGGING``::

    "formatters": {"jobs": {"()": "jobs.monitoring.log_format.JobsFormatter"}},
"""

from __future__ import annotations

import ast
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

PAIR = re.compile(r"""(\w+)=("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+)""")
EXTRA_FIELDS = ("job_id", "task", "queue", "attempt", "duration", "event", "worker", "reason")
FORMATS = ("kv", "json")
DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def parse_pairs(message: str) -> dict[str, Any]:
    """The ``key=value`` pairs of a message; quoted values unquoted, numbers as numbers."""
    pairs: dict[str, Any] = {}
    for key, raw in PAIR.findall(message):
        pairs[key] = _value(raw)
    return pairs


def _value(raw: str) -> Any:
    if raw[:1] in "\"'":
        try:
            return ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return raw[1:-1]
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


def _configured_format() -> str:
    try:
        from jobs import conf

        return conf.get().LOG_FORMAT
    except Exception:  # settings not ready yet (early start-up): stay readable
        return "kv"


class JobsFormatter(logging.Formatter):
    """Formats records as ``key=value`` text or JSON, per ``JOBS['LOG_FORMAT']``."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, *, log_format: str | None = None):
        super().__init__(fmt or DEFAULT_FORMAT, datefmt)
        if log_format is not None and log_format not in FORMATS:
            raise ValueError(f"log_format must be one of {', '.join(FORMATS)}")
        self.log_format = log_format

    def format(self, record: logging.LogRecord) -> str:
        kind = self.log_format or _configured_format()
        return self._json(record) if kind == "json" else self._kv(record)

    def _extras(self, record: logging.LogRecord) -> dict[str, Any]:
        return {name: getattr(record, name) for name in EXTRA_FIELDS if hasattr(record, name)}

    def _kv(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        message = record.getMessage()
        added = [f"{key}={value}" for key, value in self._extras(record).items() if f"{key}=" not in message]
        if not added:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} {' '.join(added)}{newline}{rest}"

    def _json(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        data.update(parse_pairs(message))
        data.update(self._extras(record))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)

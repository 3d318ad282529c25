"""How job values look in the admin: badges, progress bars, pretty JSON.

Everything goes through ``format_html`` so text people typed (arguments, errors) is
escaped, never interpreted.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from jobs.core.states import JobStatus

BADGE_CLASSES = {
    JobStatus.SCHEDULED: "scheduled",
    JobStatus.DEFERRED: "deferred",
    JobStatus.QUEUED: "queued",
    JobStatus.STARTED: "started",
    JobStatus.SUCCEEDED: "succeeded",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled",
}


def status_badge(status: str) -> SafeString:
    """Colour for scanning, the status word for reading (and for colour-blind people)."""
    label = JobStatus(status).label if status in JobStatus.values else status
    return format_html('<span class="jobs-badge jobs-{}">{}</span>', BADGE_CLASSES.get(status, ""), label)


def progress_bar(percent: int) -> SafeString:
    percent = max(0, min(int(percent or 0), 100))
    return format_html(
        '<span class="jobs-progress" title="{0}%"><span style="width:{0}%"></span></span> {0}%', percent
    )


def pretty_json(value: Any) -> SafeString:
    return format_html('<pre class="jobs-pre">{}</pre>', json.dumps(value, indent=2, sort_keys=True))


def pre(text: str) -> SafeString:
    return format_html('<pre class="jobs-pre">{}</pre>', text) if text else format_html("{}", "-")


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 60:
        return f"{value:.2f} s"
    minutes, rest = divmod(int(value), 60)
    return f"{minutes} min {rest} s"

"""Template filters of the dashboard."""

from __future__ import annotations

import json
from typing import Any

from django import template

from dashboard import queries
from jobs.services import actions

register = template.Library()


@register.filter
def pretty_json(value: Any) -> str:
    """Indented JSON text; the template escapes it like any other user value."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def failure_percent(success_rate: float | None) -> str:
    """A success rate (0–1) shown as the failure percentage, "–" when nothing finished."""
    return "–" if success_rate is None else f"{(1 - success_rate) * 100:.1f} %"


@register.filter
def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


@register.filter
def may(user: Any, action: str) -> bool:
    """``{% if user|may:"retry_job" %}``: the button shows when the action's permission is held.

    The permission is read from :mod:`jobs.services.actions`, so a template never spells
    a codename and shows exactly the buttons the view behind it would allow.
    """
    return actions.may(user, action)


@register.filter
def shows_progress(job: Any) -> bool:
    """Whether the job has a progress bar worth showing.

    A task that reports progress leaves a message or a part-way figure; one that never
    reports has neither, and succeeding sets 100 % for every job, so a succeeded job
    without a message shows no bar rather than a meaningless full one.
    """
    if job.progress_message:
        return True
    return job.status in {"started", "failed", "cancelled"} and 0 < job.progress < 100


@register.filter
def seconds(value: float | None) -> str:
    """A duration for people: "850 ms", "12.3 s", "4 min 05 s", "2 h 10 min"."""
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(int(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@register.filter
def who(log: Any) -> str:
    """Who caused a timeline line (``user via dashboard``), blank for the system."""
    return queries.who(log)

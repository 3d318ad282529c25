"""Template filters of the dashboard."""

from __future__ import annotations

import json
from typing import Any

from django import template

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

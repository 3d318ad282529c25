"""One rate limit for scheduling and actions, shared by REST and GraphQL mutations.

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["jobs_actions"]`` (e.g.
``"600/minute"``; ``None`` switches it off), :data:`DEFAULT_RATE` when the host sets
none. Reads are not throttled.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

SCOPE = "jobs_actions"
DEFAULT_RATE = "1200/min"


class ActionThrottle(SimpleRateThrottle):
    """Counts actions per user (or per client address when anonymous)."""

    scope = SCOPE

    def get_rate(self) -> str | None:
        """Read per request (not at import), so a changed setting applies at once."""
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope, DEFAULT_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

"""What the job list shows besides its rows: per-state tabs with their counts.

The counts are the queue figures the housekeeper keeps (:func:`dashboard.queries.state_counts`),
so every tab's number costs one small query at any table size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from dashboard import queries
from jobs.core.states import JobStatus as S


@dataclass(frozen=True)
class Tab:
    label: str
    statuses: tuple[str, ...]
    counted: str
    """The key of :func:`~dashboard.queries.state_counts` that counts this tab."""


TABS = (
    Tab("All", (), "all"),
    Tab("Scheduled", (S.SCHEDULED, S.DEFERRED), "scheduled"),
    Tab("Queued", (S.QUEUED,), "queued"),
    Tab("Running", (S.STARTED,), "started"),
    Tab("Failed", (S.FAILED,), "failed"),
    Tab("Succeeded", (S.SUCCEEDED,), "succeeded"),
    Tab("Cancelled", (S.CANCELLED,), "cancelled"),
)


def state_tabs(params: QueryDict) -> list[dict[str, object]]:
    """Each tab's link (the other filters kept), its count, and whether it's open."""
    counts = queries.state_counts(params.getlist("queue"))
    chosen = sorted(params.getlist("status"))
    tabs = []
    for tab in TABS:
        link = params.copy()
        for key in ("status", "cursor"):
            link.pop(key, None)
        link.setlist("status", list(tab.statuses))
        tabs.append(
            {
                "label": tab.label,
                "query": link.urlencode(),
                "count": counts[tab.counted],
                "key": tab.counted,
                "current": sorted(tab.statuses) == chosen,
            }
        )
    return tabs

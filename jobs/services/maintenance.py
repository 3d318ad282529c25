"""Repairs an operator runs by hand (``jobs_reconcile``), after restoring Redis or in a deploy hook.

The scheduler process does the same on its own cadence; these run it now.
"""

from __future__ import annotations

from jobs.engine import housekeeping
from jobs.monitoring import counters


def reconcile(grace: float | None = None) -> dict[str, int]:
    """Record lost attempts, give every waiting job its RQ copy back, recount the state counts.

    Returns how many jobs got their copy back, by status, and ``lost``: the attempts
    recorded as lost.
    """
    lost = housekeeping.recover_lost_attempts()
    restored = housekeeping.reconcile(grace=grace)
    counters.recount_states()
    return {**restored, "lost": len(lost)}

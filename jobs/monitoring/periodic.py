"""Monitoring's share of the housekeeper's periodic pass.

Folds the per-task counters into rows, repairs the state counts hourly, prunes old
history, beats the scheduler heartbeat and evaluates alert rules. Each duty is
isolated: one failing is logged and never stops the others or the housekeeper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connections
from django.utils import timezone

from jobs.engine import broker
from jobs.engine.outage import CONNECTION_ERRORS
from jobs.monitoring import counters
from jobs.monitoring.alerts import evaluate

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger("jobs.monitoring")


def housekeep(now: datetime | None = None, redis: Redis | None = None) -> None:
    """Run every monitoring duty once, with ``now`` as the clock (tests pass their own)."""
    now = now or timezone.now()
    redis = redis or broker.connection()
    duties: tuple[tuple[str, Callable[[], object]], ...] = (
        ("heartbeat", lambda: counters.beat(now, redis)),
        ("metrics", lambda: counters.flush(now, redis)),
        ("recount", lambda: counters.recount_states_if_due(now, redis)),
        ("prune", lambda: counters.prune(now)),
        ("alerts", lambda: evaluate.evaluate(now, redis)),
    )
    for name, duty in duties:
        try:
            duty()
        except CONNECTION_ERRORS:
            raise  # Redis is gone: the housekeeper waits for it, one log line for all duties
        except Exception:
            logger.exception("monitoring duty %s failed; will try again", name)
            connections.close_all()

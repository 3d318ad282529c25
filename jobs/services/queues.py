"""Pausing and resuming queues.

The paused flag lives in ``QueueStats`` (the truth, survives anything) and in a Redis
set that every Jobdesk worker reads before it takes a job, so a pause reaches all
workers within a second and survives their restarts. Reconcile copies the database's
flags back to Redis if Redis lost them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from jobs.core.validation import check_queue
from jobs.engine import broker
from jobs.exceptions import InvalidTransition
from jobs.models import QueueStats
from jobs.models.journal import describe_actor

logger = logging.getLogger("jobs.services")


def get_queue_stats(name: str) -> QueueStats:
    """A configured queue's figures; an unsaved all-zero row until the housekeeper's first pass.

    A read: it never writes the row (the housekeeper and pausing do).

    Raises: UnknownQueue for a name not in ``JOBS['QUEUES']``.
    """
    check_queue(name)
    return QueueStats.objects.filter(name=name).first() or QueueStats(name=name)


def pause_queue(name: str, *, user: Any = None, via: str = "code") -> QueueStats:
    """Stop workers from starting new jobs of this queue; running ones finish.

    Raises:
        UnknownQueue, InvalidTransition (already paused).
    """
    return _set_paused(name, True, user=user, via=via)


def resume_queue(name: str, *, user: Any = None, via: str = "code") -> QueueStats:
    """Let workers take this queue's jobs again, oldest first.

    Raises:
        UnknownQueue, InvalidTransition (not paused).
    """
    return _set_paused(name, False, user=user, via=via)


def _set_paused(name: str, paused: bool, *, user: Any, via: str) -> QueueStats:
    check_queue(name)
    with transaction.atomic():
        stats, _ = QueueStats.objects.get_or_create(name=name)
        changed = QueueStats.objects.filter(pk=stats.pk, paused=not paused).update(
            paused=paused,
            paused_at=timezone.now() if paused else None,
            paused_by=user if paused and getattr(user, "is_authenticated", False) else None,
        )
        if not changed:
            state = "paused" if paused else "running"
            raise InvalidTransition(f"Queue {name!r} is already {state}.")
        transaction.on_commit(lambda: broker.set_paused([name], paused), robust=True)
    logger.info("queue=%s paused=%s by=%s", name, paused, describe_actor(user, via))
    stats.refresh_from_db()
    return stats

"""The supervisor's writes to FleetWorker rows, and the fleet events that go with them.

Every change is a log line (``jobs.fleet``), a row update and a signal, in that order,
so what a page shows and what a receiver hears agree. A database that is down costs
the rows, never the fleet: the supervisor keeps supervising.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import timezone

from jobs import signals
from jobs.engine.fleet.process import Member
from jobs.models import FleetWorker

logger = logging.getLogger("jobs.fleet")
State = FleetWorker.State


def _write(name: str, **changes) -> None:
    try:
        FleetWorker.objects.filter(name=name).update(seen_at=timezone.now(), **changes)
    except DatabaseError as exc:
        logger.error("worker=%s fleet row not updated (%s)", name, exc)


def added(member: Member, host: str, reason: str) -> None:
    logger.info(
        "pool=%s worker=%s pid=%s event=worker_added reason=%r",
        member.pool.name,
        member.name,
        member.pid,
        reason,
    )
    try:
        FleetWorker.objects.create(name=member.name, pool=member.pool.name, host=host, pid=member.pid)
    except DatabaseError as exc:
        logger.error("worker=%s fleet row not written (%s)", member.name, exc)
    signals.send_fleet(
        signals.worker_added,
        pool=member.pool.name,
        worker=member.name,
        pid=member.pid,
        host=host,
        reason=reason,
    )


def removed(member: Member, host: str, reason: str, exit_status: int | None) -> None:
    level = logging.INFO if exit_status == 0 or member.retiring else logging.WARNING
    logger.log(
        level,
        "pool=%s worker=%s pid=%s event=worker_removed reason=%r exit_status=%s",
        member.pool.name,
        member.name,
        member.pid,
        reason,
        exit_status,
    )
    _write(
        member.name, state=State.GONE, stopped_at=timezone.now(), exit_status=exit_status, reason=reason[:200]
    )
    signals.send_fleet(
        signals.worker_removed,
        pool=member.pool.name,
        worker=member.name,
        pid=member.pid,
        host=host,
        reason=reason,
        exit_status=exit_status,
    )


def stopping(member: Member, reason: str) -> None:
    logger.info("pool=%s worker=%s event=stopping reason=%r", member.pool.name, member.name, reason)
    _write(member.name, state=State.STOPPING, reason=reason[:200])


def checked(member: Member, *, busy: int, memory_mb: float | None, running: bool) -> None:
    """A health check's figures (every ``health_check.interval_seconds``)."""
    changes = {"busy": busy, "memory_mb": memory_mb, "failures": member.failures}
    if running and not member.retiring:
        changes["state"] = State.RUNNING
    _write(member.name, **changes)


def health_changed(member: Member, host: str, reason: str) -> None:
    logger.log(
        logging.INFO if member.healthy else logging.WARNING,
        "pool=%s worker=%s event=worker_health_changed healthy=%s reason=%r",
        member.pool.name,
        member.name,
        member.healthy,
        reason,
    )
    _write(member.name, healthy=member.healthy, failures=member.failures, reason=reason[:200])
    signals.send_fleet(
        signals.worker_health_changed,
        pool=member.pool.name,
        worker=member.name,
        pid=member.pid,
        host=host,
        healthy=member.healthy,
        reason=reason,
    )


def scaled(pool: str, host: str, before: int, after: int, reason: str) -> None:
    logger.info("pool=%s host=%s event=scaled workers=%s->%s reason=%r", pool, host, before, after, reason)

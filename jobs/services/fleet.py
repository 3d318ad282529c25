"""The worker fleet for every surface: pools and their workers, resize, stop one worker.

Reads come from the FleetWorker rows the supervisors keep (one row per process they
started) and the pools in ``JOBS["WORKER_POOLS"]``; actions are requests the
supervisors pick up within a tick (:mod:`jobs.engine.fleet.control`), so they work
whichever host runs the pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from jobs.engine.fleet import control
from jobs.engine.fleet.pools import Pool, pools
from jobs.engine.fleet.supervisor import Supervisor
from jobs.exceptions import Conflict, Invalid, NotFound
from jobs.models import FleetWorker
from jobs.services.actions import require

State = FleetWorker.State


@dataclass(frozen=True)
class PoolView:
    """One pool as the pages show it, over every host that runs it."""

    name: str
    queues: tuple[str, ...]
    worker_class: str
    concurrency: int
    min_workers: int
    max_workers: int
    pinned: int | None
    processes: int
    busy: int
    slots: int
    healthy: int
    unhealthy: int
    memory_mb: float
    hosts: tuple[str, ...]


def run_fleet(
    names: list[str] | None = None, *, manage_py: str, host: str | None = None, log_dir: Path | None = None
) -> int:
    """Run this host's share of the pools (all, or those named) until SIGTERM; returns 0.

    Raises:
        Invalid: a name that is not a configured pool, or no pools configured.
    """
    chosen = _chosen(names)
    return Supervisor(chosen, manage_py=manage_py, host=host, log_dir=log_dir).run()


def _chosen(names: list[str] | None) -> tuple[Pool, ...]:
    configured = pools()
    if not configured:
        raise Invalid("No worker pools are configured: add them to JOBS['WORKER_POOLS'].")
    if not names:
        return configured
    known = {pool.name: pool for pool in configured}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise Invalid(f"Unknown worker pool(s): {', '.join(unknown)} (configured: {', '.join(known)}).")
    return tuple(known[name] for name in names)


def live_workers() -> QuerySet[FleetWorker]:
    """Every process a supervisor started and hasn't seen go."""
    return FleetWorker.objects.exclude(state=State.GONE)


def list_pools() -> list[PoolView]:
    """The configured pools with their live processes' figures."""
    rows: dict[str, list[FleetWorker]] = {}
    for row in live_workers().only("pool", "host", "state", "healthy", "busy", "memory_mb"):
        rows.setdefault(row.pool, []).append(row)
    pinned = control.pins_for([pool.name for pool in pools()])
    return [_view(pool, rows.get(pool.name, []), pinned.get(pool.name)) for pool in pools()]


def _view(pool: Pool, rows: list[FleetWorker], pinned: int | None) -> PoolView:
    return PoolView(
        name=pool.name,
        queues=pool.queues,
        worker_class=pool.worker_class,
        concurrency=pool.concurrency,
        min_workers=pool.scaling.min_workers,
        max_workers=pool.scaling.max_workers,
        pinned=pinned,
        processes=len(rows),
        busy=sum(row.busy for row in rows),
        slots=len(rows) * pool.slots_per_process,
        healthy=sum(1 for row in rows if row.healthy),
        unhealthy=sum(1 for row in rows if not row.healthy),
        memory_mb=round(sum(row.memory_mb or 0 for row in rows), 1),
        hosts=tuple(sorted({row.host for row in rows})),
    )


def get_pool(name: str) -> Pool:
    """Raises: NotFound for a name that is not a configured pool."""
    for pool in pools():
        if pool.name == name:
            return pool
    raise NotFound(f"There is no worker pool named {name!r}.")


def resize_pool(name: str, workers: Any, *, user: Any = None) -> PoolView:
    """Pin a pool's size (in workers of ``concurrency`` slots, per host); None unpins it.

    Raises:
        PermissionMissing, NotFound, Invalid: a size that isn't a whole number from 0 to
        the pool's ``max_workers``.
    """
    if user is not None:
        require(user, "resize_pool")
    pool = get_pool(name)
    limit = pool.scaling.max_workers
    whole = isinstance(workers, int) and not isinstance(workers, bool)
    if workers is not None and not (whole and 0 <= workers <= limit):
        raise Invalid(f"A size for pool {name!r} is a whole number from 0 to {limit}, not {workers!r}.")
    control.pin(name, workers)
    return next(view for view in list_pools() if view.name == name)


def stop_worker(name: str, *, user: Any = None) -> FleetWorker:
    """Ask the worker's supervisor to shut it down gracefully (its job finishes or goes back).

    Raises:
        PermissionMissing, NotFound, Conflict: a worker already stopping or gone.
    """
    if user is not None:
        require(user, "stop_worker")
    row = FleetWorker.objects.filter(name=name).first()
    if row is None:
        raise NotFound(f"There is no fleet worker named {name!r}.")
    if row.state in (State.STOPPING, State.GONE):
        raise Conflict(f"Worker {name!r} is already {row.get_state_display().lower()}.")
    control.request_stop(row.host, row.name)
    return row

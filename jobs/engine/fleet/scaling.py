"""When a pool grows or shrinks: one pure decision from its backlog, size and clock.

Kept free of processes and Redis so every case (thresholds, bounds, cooldowns) is a
table-driven test; the supervisor feeds it what it measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobs.engine.fleet.pools import Pool


@dataclass
class ScaleState:
    """What the decision remembers between ticks (monotonic seconds)."""

    last_up: float = float("-inf")
    last_change: float = float("-inf")


def load_percent(pool: Pool, workers: int, waiting: int, busy: int) -> float:
    """Slots asked for, as a percentage of the slots ``workers`` units give."""
    slots = workers * pool.concurrency
    demand = waiting + busy
    if slots == 0:
        return float("inf") if demand else 0.0
    return demand / slots * 100.0


def decide(pool: Pool, workers: int, waiting: int, busy: int, state: ScaleState, now: float) -> int:
    """+1, -1 or 0 units; updates ``state`` when it says to change.

    Up while the load is at or over ``scale_up_threshold`` (below ``max_workers``), no
    sooner than ``scale_up_cooldown_seconds`` after the last growth; down while it is at
    or under ``scale_down_threshold`` (above ``min_workers``), no sooner than
    ``scale_down_cooldown_seconds`` after the last change either way, so a pool that just
    grew for a burst is not shrunk by the lull between two bursts.
    """
    scaling = pool.scaling
    if workers < scaling.min_workers:
        return _changed(state, now, +1)
    if workers > scaling.max_workers:
        return _changed(state, now, -1)
    load = load_percent(pool, workers, waiting, busy)
    if (
        load >= scaling.scale_up_threshold
        and workers < scaling.max_workers
        and now - state.last_up >= scaling.scale_up_cooldown_seconds
    ):
        return _changed(state, now, +1)
    if (
        load <= scaling.scale_down_threshold
        and workers > scaling.min_workers
        and now - state.last_change >= scaling.scale_down_cooldown_seconds
    ):
        return _changed(state, now, -1)
    return 0


def _changed(state: ScaleState, now: float, delta: int) -> int:
    state.last_change = now
    if delta > 0:
        state.last_up = now
    return delta

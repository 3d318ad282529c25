"""The scaling decision, case by case: thresholds, bounds and cooldowns."""

from __future__ import annotations

import pytest

from jobs.engine.fleet.pools import Pool, Scaling
from jobs.engine.fleet.scaling import ScaleState, decide, load_percent

POOL = Pool(
    name="p",
    queues=("normal",),
    concurrency=2,
    scaling=Scaling(
        min_workers=1,
        max_workers=3,
        scale_up_threshold=80,
        scale_down_threshold=20,
        scale_up_cooldown_seconds=10,
        scale_down_cooldown_seconds=30,
    ),
)


@pytest.mark.parametrize(
    ("workers", "waiting", "busy", "expected"),
    [
        (1, 500, 2, +1),  # far over: grow
        (1, 0, 2, +1),  # 2 of 2 slots busy = 100 %
        (2, 1, 2, 0),  # 3 of 4 slots = 75 %: between the thresholds
        (3, 500, 6, 0),  # at max
        (2, 0, 0, -1),  # idle: shrink
        (1, 0, 0, 0),  # at min
        (0, 0, 0, +1),  # below min (a resize lifted): back up
        (4, 100, 8, -1),  # above max: back down
    ],
)
def test_the_load_moves_the_size_within_its_bounds(workers, waiting, busy, expected):
    assert decide(POOL, workers, waiting, busy, ScaleState(), now=1000.0) == expected


def test_growth_waits_out_its_cooldown():
    state = ScaleState()
    assert decide(POOL, 1, 100, 2, state, now=0.0) == +1
    assert decide(POOL, 2, 100, 4, state, now=9.9) == 0
    assert decide(POOL, 2, 100, 4, state, now=10.0) == +1


def test_shrinking_waits_for_the_cooldown_after_any_change():
    state = ScaleState()
    assert decide(POOL, 1, 100, 2, state, now=0.0) == +1
    assert decide(POOL, 2, 0, 0, state, now=29.0) == 0, "not right after growing"
    assert decide(POOL, 2, 0, 0, state, now=30.0) == -1
    assert decide(POOL, 1, 0, 0, state, now=100.0) == 0


def test_load_of_a_pool_with_no_slots():
    assert load_percent(POOL, 0, 0, 0) == 0.0
    assert load_percent(POOL, 0, 1, 0) == float("inf")
    assert load_percent(POOL, 2, 1, 1) == 50.0

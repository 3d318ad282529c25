"""The read-only worker list, against real worker processes."""

import pytest

from jobs.engine.worker_registry import alive_count, list_workers
from tests.conftest import wait_for

pytestmark = pytest.mark.slow


def test_a_running_worker_is_listed_with_its_queues(processes):
    processes.worker("high", "normal", name="listed")
    workers = wait_for(list_workers, timeout=30, message="the worker to register")
    assert len(workers) == 1
    info = workers[0]
    assert info.name.startswith("listed-")
    assert info.queues == ("high", "normal")
    assert info.pid and not info.lost
    assert alive_count(workers, "high") == 1
    assert alive_count(workers, "low") == 0

"""The ``worker_class`` fixture behind ``@both_worker_classes`` (:mod:`.worker_classes`)."""

from __future__ import annotations

import time

import pytest

from tests.jobs.engine.worker_classes import WORKER_CLASSES


@pytest.fixture
def worker_class(request) -> str:
    return getattr(request, "param", "forking")


@pytest.fixture
def processes(processes, worker_class):
    """The suite's ``processes``, whose ``.worker(...)`` starts the class under test."""
    extra = WORKER_CLASSES[worker_class]
    if extra:
        start = processes.start

        def worker(*queues: str, name: str = "worker", **env: str):
            args = ["rqworker", *(queues or ("high", "normal", "low")), "--name", f"{name}-{time.time_ns()}"]
            return start(*args, *extra, name=name, **env)

        processes.worker = worker
    return processes

"""A Redis server of a test's own, which the test may stop, restart or flush.

The suite's shared throwaway Redis (``tests.redis_server``) must stay up for every other
test; outage tests get this one instead. The ``own_redis`` fixture points the test
process at it (``RQ_QUEUES``) and gives the URL to pass to worker and scheduler
subprocesses (``processes.worker(..., REDIS_URL=own_redis.url)``).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from redis import Redis

from jobs.conf import rq_settings
from project import embedded_redis


class RestartableRedis:
    """A redis-server without persistence on a fixed port: a restart loses everything."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = embedded_redis.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = embedded_redis.start(self.port, self.directory)

    def stop(self) -> None:
        """Kill the server (SIGKILL: no chance to save or say goodbye)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Redis:
        return Redis.from_url(self.url)

    def flushall(self) -> None:
        with contextlib.closing(self.client()) as client:
            client.flushall()


@pytest.fixture
def own_redis() -> Iterator[RestartableRedis]:
    directory = Path(tempfile.mkdtemp(prefix="jobdesk-own-redis-"))
    server = RestartableRedis(directory)
    server.start()
    rq_queues, _ = rq_settings(server.url, settings.JOBS["QUEUES"])
    try:
        with override_settings(RQ_QUEUES=rq_queues, REDIS_URL=server.url):
            yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)

"""A Redis master, its replica and three Sentinels of a test's own, on throwaway ports.

What the README's "When one Redis is not enough" names, started here so a test can run
jobs through it and fail the master over. Jobdesk reaches it through django-rq's own
settings: ``SENTINELS`` and ``MASTER_NAME`` in each ``RQ_QUEUES`` entry.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

from redis import Redis

from project import embedded_redis
from tests.conftest import wait_for
from tests.jobs.fleet.sentinel_config import MASTER_NAME, SENTINELS_VARIABLE


class SentinelSet:
    """Master, replica and Sentinels; :meth:`fail_over` kills the master and waits for the promotion."""

    def __init__(self, directory: Path, sentinels: int = 3) -> None:
        self.directory = directory
        self.master_port, self.replica_port = embedded_redis.free_port(), embedded_redis.free_port()
        self.sentinel_ports = [embedded_redis.free_port() for _ in range(sentinels)]
        self.servers: dict[int, subprocess.Popen] = {}

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", port) for port in self.sentinel_ports]

    @property
    def addresses(self) -> str:
        return ",".join(f"{host}:{port}" for host, port in self.sentinels)

    def start(self) -> None:
        self.servers[self.master_port] = self._server(self.master_port)
        self.servers[self.replica_port] = self._server(
            self.replica_port, "--replicaof", "127.0.0.1", str(self.master_port)
        )
        quorum = len(self.sentinel_ports) // 2 + 1
        for port in self.sentinel_ports:
            self.servers[port] = self._sentinel(port, quorum)
        wait_for(self._ready, 60, 0.2, message="the Sentinels to know the replica and each other")

    def master_port_now(self) -> int:
        with contextlib.closing(Redis(port=self.sentinel_ports[0], socket_timeout=2)) as sentinel:
            return int(sentinel.sentinel_get_master_addr_by_name(MASTER_NAME)[1])

    def fail_over(self) -> None:
        """Kill the master outright; the Sentinels promote the replica."""
        self._kill(self.master_port)
        wait_for(lambda: self.master_port_now() == self.replica_port, 60, 0.2, message="the promotion")
        with contextlib.closing(Redis(port=self.replica_port, socket_timeout=2)) as promoted:
            wait_for(lambda: promoted.info("replication")["role"] == "master", 30, 0.2, message="a master")

    def stop(self) -> None:
        for port in list(self.servers):
            self._kill(port)

    def _ready(self) -> bool:
        others = len(self.sentinel_ports) - 1
        for port in self.sentinel_ports:
            with contextlib.closing(Redis(port=port, socket_timeout=2)) as sentinel:
                if len(sentinel.sentinel_slaves(MASTER_NAME)) != 1:
                    return False
                if len(sentinel.sentinel_sentinels(MASTER_NAME)) != others:
                    return False
        with contextlib.closing(Redis(port=self.replica_port, socket_timeout=2)) as replica:
            return replica.info("replication").get("master_link_status") == "up"

    def _server(self, port: int, *extra: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [embedded_redis.server_binary(), "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory),
             "--logfile", str(self.directory / f"redis-{port}.log"), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: embedded_redis.answers(f"redis://127.0.0.1:{port}/0"), 10, message=f"redis {port}")
        return process

    def _sentinel(self, port: int, quorum: int) -> subprocess.Popen:
        """A Sentinel rewrites its file as it learns, so each has one of its own."""
        config = self.directory / f"sentinel-{port}.conf"
        config.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
            f"logfile {self.directory / f'sentinel-{port}.log'}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master_port} {quorum}\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
            f"sentinel failover-timeout {MASTER_NAME} 10000\n"
        )
        process = subprocess.Popen(
            [embedded_redis.server_binary(), str(config), "--sentinel"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: embedded_redis.answers(f"redis://127.0.0.1:{port}/0"), 10, message="a sentinel")
        return process

    def _kill(self, port: int) -> None:
        process = self.servers.pop(port, None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def worker_env(sentinels: SentinelSet) -> dict[str, str]:
    """What a worker subprocess needs to reach Redis through the Sentinels only."""
    return {
        "DJANGO_SETTINGS_MODULE": "tests.jobs.fleet.sentinel_settings",
        SENTINELS_VARIABLE: sentinels.addresses,
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens: a client that ignored Sentinel fails
    }

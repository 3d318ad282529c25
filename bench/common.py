"""Shared set-up for the benchmarks: a throwaway Redis, a fresh database, subprocesses.

Every benchmark runs against its own Redis (project.embedded_redis, on a free port) and its
own database: a SQLite file in a temporary directory, or, with ``--database-url``, a
PostgreSQL database that is created for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rq import Worker  # noqa: E402  (after the path, like every bench import)


def noop() -> None:
    """The raw-RQ baseline's job: a plain function, no Jobdesk around it."""


class RawWorker(Worker):
    """RQ's own forking worker, the baseline's (Jobdesk's refuses any job but its own).

    Naming it with ``--worker-class bench.common.RawWorker`` imports this module before
    the first fork, so the baseline's horses find :func:`noop` loaded, as Jobdesk's
    find its task modules.
    """


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server URL; a database named after the benchmark is created and dropped",
    )


def _admin_execute(server_url: str, statement: str) -> None:
    import psycopg

    parsed = urlparse(server_url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def environment(name: str, database_url: str = "") -> Iterator[Path]:
    """Start Redis, point Django at a fresh database, migrate; clean everything up after."""
    from project import embedded_redis

    with tempfile.TemporaryDirectory(prefix=f"jobdesk-{name}-") as directory:
        tmp = Path(directory)
        port = embedded_redis.free_port()
        redis = embedded_redis.start(port, tmp / "redis")
        database = f"jobdesk_bench_{name}"
        if database_url:
            _admin_execute(database_url, f"DROP DATABASE IF EXISTS {database}")
            _admin_execute(database_url, f"CREATE DATABASE {database}")
            url = urlparse(database_url)._replace(path=f"/{database}").geturl()
        else:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        # Measured as deployed: DEBUG off (its query log costs time and memory).
        os.environ.setdefault("DEBUG", "0")
        os.environ.update(
            REDIS_URL=f"redis://127.0.0.1:{port}/0",
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="project.settings",
            JOBS_LOG_LEVEL="WARNING",
        )
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        try:
            yield tmp
        finally:
            from django.db import connections

            connections.close_all()
            redis.terminate()
            redis.wait(timeout=20)
            if database_url:
                _admin_execute(database_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


class Processes:
    """``manage.py`` subprocesses in their own process groups."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[subprocess.Popen] = []

    def manage(self, *args: str, name: str, **env: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()


def wait_until(condition, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(interval)


def wait_for_workers(count: int, queue: str | None = None, timeout: float = 120) -> None:
    """Wait until ``count`` workers (listening on ``queue``, if given) heart-beat."""
    from jobs.engine import broker
    from jobs.engine.worker_registry import alive_count, list_workers

    wait_until(lambda: alive_count(list_workers(broker.connection()), queue) >= count, timeout, "workers")

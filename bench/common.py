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
from collections.abc import Iterable, Iterator
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


def parse_options(doc: str, *arguments: tuple) -> argparse.Namespace:
    """The bench's command line: its description (``doc``'s first paragraph), ``arguments``
    as ``(flag, default)`` or ``(flag, default, help)`` (typed by the default), then
    ``--database-url``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    for flag, default, *help_text in arguments:
        parser.add_argument(flag, type=type(default), default=default, help=next(iter(help_text), None))
    add_database_argument(parser)
    return parser.parse_args()


def worker_round_arguments(jobs: str, rounds: str) -> tuple[tuple, ...]:
    """``--jobs``, ``--rounds``, ``--workers``, ``--worker-class`` of the A/B throughput benches."""
    return (
        ("--jobs", 500, jobs),
        ("--rounds", 3, rounds),
        ("--workers", 2, "rqworker processes per round"),
        ("--worker-class", "jobs.engine.worker.Worker", "e.g. rq.SimpleWorker"),
    )


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


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
    """``manage.py`` subprocesses in their own process groups; as a context, stopped at its end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[subprocess.Popen] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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


WORKER_CLASSES = {
    "forking": "jobs.engine.worker.Worker",
    "fast": "jobs.engine.fastlane.worker.FastWorker",
}
"""Jobdesk's two worker classes, by a short name; both bring their job class and serializer."""


def worker_args(worker_class: str, name: str, *, skip_checks: bool = False) -> list[str]:
    """``rqworker normal`` named ``name``; a class other than Jobdesk's gets RQ's JSON job and
    serializer (what Jobdesk's queues hold), and ``--skip-checks`` if it is foreign on purpose."""
    args = ["rqworker", "normal", "--name", name, "--worker-class", worker_class]
    if worker_class not in WORKER_CLASSES.values():
        args += ["--job-class", "jobs.engine.broker.JSONJob", "--serializer", "rq.serializers.JSONSerializer"]
        args += ["--skip-checks"] if skip_checks else []
    return args


def timed_round(
    processes: Processes, workers: list[list[str]], requests: Iterable[dict], **env: str
) -> float:
    """Start ``workers`` (``manage.py`` arguments each), schedule ``requests``, wait until
    every job succeeded, stop the workers; jobs per second from first start to last finish."""
    from django.db.models import Max, Min

    from jobs.core.states import JobStatus
    from jobs.models import Job
    from jobs.services import schedule_jobs

    for args in workers:
        processes.manage(*args, name=args[args.index("--name") + 1], **env)
    wait_for_workers(len(workers), "normal")
    ids = [job.pk for job in schedule_jobs(requests)]
    rows = Job.objects.filter(pk__in=ids)
    while rows.filter(status=JobStatus.SUCCEEDED).count() < len(ids):
        time.sleep(0.2)
    span = rows.aggregate(first=Min("started_at"), last=Max("finished_at"))
    processes.stop()
    return len(ids) / (span["last"] - span["first"]).total_seconds()


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

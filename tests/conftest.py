"""Fixtures shared by the whole suite: a clean Redis per test, workers, waiting.

Rows to set a scene with (jobs, users by action, recurring jobs, alert rules) are in
``tests.factories``; the tasks the tests run are in ``tests.tasks``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.db import connection
from rq import Worker as RQWorker

from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.engine.flow import scopes
from jobs.engine.scheduler import Scheduler
from jobs.engine.worker import Worker
from jobs.models import Job
from jobs.services import schedule_job
from tests.outage import own_redis  # noqa: F401 - a Redis a test may stop, restart or flush
from tests.webhooks import alert_settings, receiver  # noqa: F401 - alert rules and a webhook endpoint

ROOT = Path(__file__).resolve().parent.parent
REAL_PROCESS_FIXTURES = {"processes", "rq_jobs"}
"""A test that asks for one of these starts real worker or scheduler processes: it is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every real-process test slow, so ``make test-fast`` can leave them out."""
    for item in items:
        if REAL_PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def redis():
    """Every test starts with an empty Redis (the suite's own throwaway server)."""
    conn = broker.connection()
    conn.flushdb()
    yield conn
    conn.flushdb()


@pytest.fixture(autouse=True)
def fresh_flow_overrides():
    """Each test reads the flow overrides anew: a test's rows roll back, but a process keeps
    what it read for up to a second, and the next test in that process must not see them."""
    yield
    scopes.forget_overrides()


def wait_for(
    condition: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05, message: str = ""
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message or condition}")
        time.sleep(interval)


def closed_port() -> int:
    """A local TCP port nothing listens on (it was free a moment ago): a server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def burst_worker(transactional_db) -> Callable[..., bool]:
    """Run Jobdesk's worker in this process until its queues are empty."""

    def run(*queues: str) -> bool:
        worker = Worker(list(queues or ("high", "normal", "low")), connection=broker.connection())
        return worker.work(burst=True)

    return run


@pytest.fixture
def run_scheduler() -> Callable[[], list]:
    """One rq-scheduler pass: move every due job to its queue."""

    def run() -> list:
        return Scheduler(connection=broker.connection()).enqueue_jobs()

    return run


def database_url() -> str:
    """The URL of the test database, for subprocesses."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    return f"postgres://{auth}{host}/{settings['NAME']}"


class Processes:
    """Real ``manage.py`` subprocesses (workers, scheduler) against the test database."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        # The suite's settings (pytest-django sets the variable), so subprocesses know tests.* tasks.
        env.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        env.update({"DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1"}, **extra)
        return env

    def start(self, *args: str, name: str = "proc", **env: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}-{len(self.running)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log.name
        self.running.append(process)
        return process

    def worker(self, *queues: str, name: str = "worker", **env: str) -> subprocess.Popen:
        return self.start(
            "rqworker",
            *(queues or ("high", "normal", "low")),
            "--name",
            f"{name}-{time.time_ns()}",
            name=name,
            **env,
        )

    def scheduler(self, **env: str) -> subprocess.Popen:
        return self.start("rqscheduler", name="scheduler", **env)

    def up(self, *, scheduler: bool = False, workers: int = 0, timeout: float = 90) -> float:
        """Wait until the scheduler holds its lock and ``workers`` workers are registered.

        Returns the monotonic time they were: a bound on what a running housekeeper or
        worker promises starts then, not while a process still boots on a busy machine.
        """
        redis = broker.connection()
        if scheduler:
            wait_for(lambda: redis.exists("rq:scheduler_lock"), timeout, message="the scheduler's lock")
        if workers:
            wait_for(lambda: RQWorker.count(connection=redis) >= workers, timeout, message="the workers")
        return time.monotonic()

    def kill_group(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def kill_horses(self, process: subprocess.Popen) -> None:
        """RQ's work-horses live in process groups of their own: a group kill misses them."""
        with contextlib.suppress(psutil.NoSuchProcess):
            for child in psutil.Process(process.pid).children(recursive=True):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                self.kill_horses(process)
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill_group(process)

    def logs(self) -> str:
        return "\n".join(Path(p.log_path).read_text()[-3000:] for p in self.running)


@pytest.fixture
def processes(transactional_db, tmp_path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium driven by Playwright, one for the whole session.

    Playwright's sync API keeps an event loop in this thread, so there can be only one,
    and the plain ORM calls tests make between page steps need Django's async guard
    lifted. ``playwright install`` is never used: ``make test`` installs Chromium.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/ (``name`` may hold a folder)."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


@pytest.fixture
def rq_jobs(processes, redis) -> dict[str, Job]:
    """A failed job, a running one (a real worker on "high"), a queued one and a scheduled one."""
    processes.worker("high")
    failed = schedule_job("tests.fail", args=["on purpose"], queue="high", max_attempts=1)
    wait_for(lambda: Job.objects.get(pk=failed.pk).status == JobStatus.FAILED, 60, message="the failure")
    running = schedule_job("tests.sleep", args=[600], queue="high")
    wait_for(lambda: Job.objects.get(pk=running.pk).status == JobStatus.STARTED, 60, message="the start")
    queued = schedule_job("tests.noop", queue="low")
    scheduled = schedule_job("tests.noop", queue="normal", delay=3600)
    return {"failed": failed, "running": running, "queued": queued, "scheduled": scheduled}

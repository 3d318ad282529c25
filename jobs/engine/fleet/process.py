"""One worker process of a pool: how it is started, told its limits, and stopped.

Each is a plain ``manage.py rqworker`` — the same command an operator runs by hand —
configured through the environment variables every Jobdesk worker class reads:

=================================  ==============================================
``JOBDESK_WORKER_POOL``            the pool's name (a label in logs and pages)
``JOBDESK_WORKER_CONCURRENCY``     job slots in the process (1 for the forking class)
``JOBDESK_WORKER_MAX_JOBS``        recycle after this many jobs (also ``--max-jobs``)
``JOBDESK_WORKER_MAX_MEMORY_MB``   recycle after the current job when over this
``JOBDESK_WORKER_SHUTDOWN_TIMEOUT`` seconds a running job gets after SIGTERM
``JOBDESK_WORKER_MAX_JOB_TIME``    no job of the pool runs longer than this
=================================  ==============================================

A process runs in a session of its own, so the supervisor stops it (and only it) by
its group, and on Linux it is sent SIGTERM if the supervisor dies, so a killed
supervisor leaves no orphans taking jobs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from jobs.engine.fleet.pools import Pool

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor goes (Linux's prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def environment(pool: Pool) -> dict[str, str]:
    """The variables that tell a worker process its pool's limits."""
    values = {
        "JOBDESK_WORKER_POOL": pool.name,
        "JOBDESK_WORKER_CONCURRENCY": pool.slots_per_process,
        "JOBDESK_WORKER_MAX_JOBS": pool.max_jobs,
        "JOBDESK_WORKER_MAX_MEMORY_MB": pool.max_memory_mb,
        "JOBDESK_WORKER_SHUTDOWN_TIMEOUT": pool.shutdown_timeout,
        "JOBDESK_WORKER_MAX_JOB_TIME": pool.max_job_time,
    }
    return {key: str(value) for key, value in values.items() if value is not None}


@dataclass
class Member:
    """A running worker process and what the supervisor knows of it."""

    pool: Pool
    name: str
    process: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    retiring: bool = False
    failures: int = 0
    healthy: bool = True
    checked: float = field(default_factory=time.monotonic)
    kill_at: float | None = None
    reason: str = ""
    """Why it is being stopped, once it is."""

    @property
    def pid(self) -> int:
        return self.process.pid

    def retire(self, now: float) -> None:
        """Ask for a graceful stop; a process still there after its shutdown timeout is killed."""
        if not self.retiring:
            self.retiring = True
            self.signal(signal.SIGTERM)
        self.kill_at = now + self.pool.shutdown_timeout + 10.0

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    @staticmethod
    def signal_pid(pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)

    def kill(self) -> None:
        """The process group at once (a hung or stopped process; its horse is in another group)."""
        self.signal(signal.SIGKILL)


def spawn(pool: Pool, name: str, manage_py: str, log_path: Path | None = None) -> Member:
    """Start one ``rqworker`` for ``pool`` named ``name`` (its output to ``log_path`` if given)."""
    command = [sys.executable, manage_py, "rqworker", *pool.queues, "--name", name]
    command += ["--worker-class", pool.worker_class]
    if pool.max_jobs:
        command += ["--max-jobs", str(pool.max_jobs)]
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "ab")) if log_path else None
        process = subprocess.Popen(
            command,
            env={**os.environ, **environment(pool)},
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    return Member(pool=pool, name=name, process=process)

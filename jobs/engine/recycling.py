"""When a worker replaces itself: after N jobs, or above M MiB of resident memory.

A task that leaks memory, or leaves the interpreter in a state no later job should
inherit, then costs one process restart instead of the fleet: the worker stops taking
jobs, lets the running ones finish, and exits with status 0, which its supervisor (or
``rqworker-pool``, systemd, Kubernetes) answers by starting a fresh one. Both worker
classes read the same settings; the forking class's work-horses die after every job
anyway, so there the limits bound the parent only.
"""

from __future__ import annotations

import os

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_mib() -> float:
    """This process's resident memory in MiB (Linux's ``/proc``; 0 where it is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE / (1024 * 1024)
    except OSError:
        return 0.0


def reason_to_recycle(completed: int, max_jobs: int, max_memory_mb: int) -> str:
    """Why the worker should replace itself now, or ``""`` (a limit of 0 is no limit)."""
    if max_jobs and completed >= max_jobs:
        return f"{completed} jobs done (JOBS['WORKER_MAX_JOBS'] = {max_jobs})"
    if max_memory_mb:
        rss = resident_mib()
        if rss > max_memory_mb:
            return f"{rss:.0f} MiB resident (JOBS['WORKER_MAX_MEMORY_MB'] = {max_memory_mb})"
    return ""

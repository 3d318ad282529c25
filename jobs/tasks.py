"""Tasks Jobdesk itself ships; found by autodiscovery since ``jobs`` is an installed app."""

from __future__ import annotations

from jobs.core.registry import task
from jobs.services.cleanup import delete_old_jobs


@task(name="jobs.cleanup", priority="low", timeout=3600)
def cleanup() -> dict[str, int]:
    """Delete finished jobs past their retention (run daily by a recurring job)."""
    return delete_old_jobs()

"""The django.tasks no-op ``bench/tasks_backend.py`` runs (workers import it through
``JOBS_TASK_MODULES=tasks_backend_tasks``), registered as ``tasks_backend_tasks.noop``."""

from __future__ import annotations

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task


@task()
def noop() -> None:
    """Do nothing."""

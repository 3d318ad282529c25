"""Jobdesk as a backend for Django's tasks framework (``django.tasks``; ``django_tasks`` on 5.2).

``TASKS = {"default": {"BACKEND": "jobs.backends.JobdeskBackend"}}``; see the README's
"Using Jobdesk from Django's tasks framework".
"""

from jobs.backends.backend import JobdeskBackend
from jobs.backends.errors import InvalidTaskArguments, InvalidTaskQueue, TaskPayloadTooLarge
from jobs.backends.options import job_options

__all__ = ["InvalidTaskArguments", "InvalidTaskQueue", "JobdeskBackend", "TaskPayloadTooLarge", "job_options"]

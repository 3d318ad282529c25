"""Jobdesk: background jobs for Django, tracked in the database, run by RQ workers.

Public names: the :func:`task` decorator and :class:`Backoff` to register tasks, and
the service functions in :mod:`jobs.services` to schedule and steer jobs.
"""

from jobs.core.registry import Backoff, task

__all__ = ["Backoff", "task"]

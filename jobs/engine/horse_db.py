"""Database connections across the fork of a work-horse.

The worker process keeps its connections open for as long as it lives: it claims each
job and records its outcome itself (decision 17), so the work-horse only needs a
database when the task uses one. What the horse does with the connections it inherits:

* a PostgreSQL connection without TLS is **handed down**: the horse uses it as its own
  (opening one per job would cost more than a small job), and exactly one process talks
  on the socket at a time, because the worker runs no query while its horse lives;
* any other connection (SQLite, which must never be used across a fork; PostgreSQL
  over TLS, whose session state is per process) is **abandoned** in the horse: set
  aside without being closed, since closing it would end the parent's session or,
  for SQLite, undo its locks, and the horse opens a fresh one if the task needs it.

After the job the horse checks that each handed-down connection is idle, outside any
transaction, and still the inherited one; if not it exits with :data:`DIRTY_EXIT` and
the worker throws the connection away. A horse that died any other unusual way (killed,
timed out) has the same effect. Like Django's persistent connections (``CONN_MAX_AGE``)
in a web process, session state a task sets on purpose (``SET``, temporary tables,
session advisory locks) lives on for later jobs of that worker; transactions never do.
"""

from __future__ import annotations

import time

from django.db import connections

IDLE_CHECK_AFTER = 30.0
"""Seconds without a job after which the worker checks its connections still answer."""

DIRTY_EXIT = 75
"""Exit status of a work-horse that left its inherited connection unusable."""

_abandoned: list[object] = []
"""Inherited connections the horse must neither use nor close (kept referenced, so
never finalised; the horse ends with ``os._exit``)."""


def _shareable(wrapper) -> bool:
    if wrapper.vendor != "postgresql" or wrapper.connection is None:
        return False
    return not wrapper.connection.pgconn.ssl_in_use


def ready_in_worker(idle_since: float) -> None:
    """Before claiming a job: drop connections that are broken, or idle long enough to be."""
    idle = time.monotonic() - idle_since >= IDLE_CHECK_AFTER
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is None:
            continue
        if wrapper.in_atomic_block or (idle and not wrapper.is_usable()):
            wrapper.close()
        else:
            wrapper.close_if_unusable_or_obsolete()


def before_fork() -> dict[str, int]:
    """The identity of each connection the horse may use as its own."""
    return {
        wrapper.alias: id(wrapper.connection)
        for wrapper in connections.all(initialized_only=True)
        if _shareable(wrapper)
    }


def in_horse(handed_down: dict[str, int]) -> None:
    """Set aside every inherited connection that isn't handed down."""
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None and wrapper.alias not in handed_down:
            _abandoned.append(wrapper.connection)
            wrapper.connection = None


def clean_in_horse(handed_down: dict[str, int]) -> bool:
    """True if every handed-down connection can go back to the worker as it is."""
    from psycopg.pq import TransactionStatus

    for alias, identity in handed_down.items():
        wrapper = connections[alias]
        connection = wrapper.connection
        if connection is None or id(connection) != identity or connection.closed:
            return False
        if wrapper.in_atomic_block or wrapper.needs_rollback:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
    return True


def discard() -> None:
    """Worker side: close connections a horse may have left in any state."""
    for wrapper in connections.all(initialized_only=True):
        wrapper.close()

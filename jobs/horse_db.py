"""Database connections across the fork of a work-horse.

Opening a PostgreSQL connection costs more than running a small job, and a forking
worker would otherwise open one per job. So the parent worker opens it once and hands
it down: each work-horse inherits the open connection and uses it; the parent itself
never runs a query on it, so exactly one process talks on the socket at any time.

The hand-down stays safe because it is withdrawn whenever it could be wrong:

* only for PostgreSQL without TLS (TLS keeps per-process session state; SQLite must
  never cross a fork) — otherwise the parent closes its connections before each fork
  and every horse opens its own, as before;
* the horse checks, before the job, that the connection answers (when it was idle for
  :data:`IDLE_CHECK_AFTER` seconds or more), and after it that the
  server is idle, outside any transaction, and that it is still the inherited one;
  if not, it exits with :data:`DIRTY_EXIT` and the parent throws the connection away;
* a horse that died any other unusual way (killed, timed out) has the same effect.

Like Django's persistent connections (``CONN_MAX_AGE``) in a web process, session
state a task sets on purpose (``SET``, temporary tables, session advisory locks) lives
on for later jobs of that worker; transactions never do. If the server drops the
connection within ``IDLE_CHECK_AFTER`` seconds of the last job, that next job fails to
start; reconcile enqueues it again (a queued row whose RQ copy already ended).
"""

from __future__ import annotations

from django.db import connections

IDLE_CHECK_AFTER = 30.0
"""Seconds without a job after which a horse first checks its inherited connection."""

DIRTY_EXIT = 75
"""Exit status of a work-horse that left its inherited connection unusable."""


def _shareable(wrapper) -> bool:
    if wrapper.vendor != "postgresql":
        return False
    wrapper.ensure_connection()
    return not wrapper.connection.pgconn.ssl_in_use


def before_fork() -> dict[str, int]:
    """Open the connections a horse may inherit, close the others.

    Returns the identity of each handed-down connection, for the horse's check.
    """
    handed_down = {}
    for wrapper in connections.all(initialized_only=True) or [connections["default"]]:
        if wrapper.connection is not None and wrapper.in_atomic_block:
            wrapper.close()
        if _shareable(wrapper):
            handed_down[wrapper.alias] = id(wrapper.connection)
        else:
            wrapper.close()
    return handed_down


def ready_in_horse(handed_down: dict[str, int]) -> None:
    """Replace an inherited connection the server has dropped (idle timeout, restart)."""
    for alias in handed_down:
        wrapper = connections[alias]
        if wrapper.connection is not None and not wrapper.is_usable():
            wrapper.close()


def clean_in_horse(handed_down: dict[str, int]) -> bool:
    """True if every handed-down connection can go to the next horse as it is."""
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
    """Parent side: stop handing down connections a horse may have left in any state."""
    for wrapper in connections.all(initialized_only=True):
        wrapper.close()

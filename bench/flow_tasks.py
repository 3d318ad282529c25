"""Tasks the flow-control benchmarks run (``JOBS_TASK_MODULES=flow_tasks``, PYTHONPATH=bench)."""

from __future__ import annotations

from jobs import task


@task(name="bench.flow.free")
def free() -> None:
    """A no-op with no limit."""


@task(name="bench.flow.limited", concurrency=1000, rate_limit="100000/s")
def limited() -> None:
    """A no-op under a concurrency limit and a rate limit that never bind: their cost alone."""


@task(name="bench.flow.tenant", concurrency=1, concurrency_key="account")
def tenant(account: str) -> None:
    """A no-op, one at a time per account."""

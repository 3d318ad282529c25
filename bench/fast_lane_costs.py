"""Per-job costs of each worker class, counted: SQL statements, Redis round trips, commands.

Used by ``bench/fast_lane.py costs``. Each class drains ``jobs`` no-op jobs in this
process (``work(burst=True)``) with the counters below wrapped around the clients:

* SQL: every ``execute``/``executemany`` of a Django cursor, in any thread;
* Redis round trips: every request a redis-py connection sends (a pipeline is one);
* Redis commands: the server's own count (``INFO commandstats``), every process included,
  so for the forking class it covers the work-horses, whose round trips and SQL the
  in-process counters can't see (their SQL is none for a no-op: decision 17).
"""

from __future__ import annotations

import threading
from collections import Counter

_counts: Counter = Counter()
_lock = threading.Lock()


def _counting(kind: str, original):
    def wrapper(*args, **kwargs):
        with _lock:
            _counts[kind] += 1
        return original(*args, **kwargs)

    return wrapper


def _instrument() -> None:
    from django.db.backends import utils
    from redis.connection import AbstractConnection

    AbstractConnection.send_packed_command = _counting("redis", AbstractConnection.send_packed_command)
    utils.CursorWrapper.execute = _counting("sql", utils.CursorWrapper.execute)
    utils.CursorWrapper.executemany = _counting("sql", utils.CursorWrapper.executemany)


def _server_commands(redis) -> int:
    return sum(stats["calls"] for name, stats in redis.info("commandstats").items())


def _drain(worker_class, jobs: int) -> dict[str, float]:
    from jobs.engine import broker
    from jobs.services import schedule_jobs

    redis = broker.connection()
    list(schedule_jobs({"task": "demo.noop"} for _ in range(jobs)))
    _counts.clear()
    before = _server_commands(redis)
    worker_class(["normal"], connection=redis).work(burst=True, logging_level="WARNING")
    commands = _server_commands(redis) - before - 1  # the INFO itself
    return {"sql": _counts["sql"] / jobs, "redis": _counts["redis"] / jobs, "commands": commands / jobs}


def costs(jobs: int, prefetch: int = 8) -> None:
    import os

    from jobs import conf

    _instrument()
    from jobs.engine.fastlane.worker import FastWorker
    from jobs.engine.worker import Worker

    for name, worker_class, ahead in (
        ("forking Worker", Worker, 0),
        ("FastWorker", FastWorker, 0),
        (f"FastWorker, prefetch {prefetch}", FastWorker, prefetch),
    ):
        os.environ["JOBDESK_WORKER_PREFETCH"] = str(ahead)
        conf.reload()
        _drain(worker_class, 50)  # warm-up: imports, connections
        figures = _drain(worker_class, jobs)
        print(
            f"{name:26s} per no-op job: {figures['sql']:.2f} SQL statements, "
            f"{figures['redis']:.1f} Redis round trips from the worker process, "
            f"{figures['commands']:.1f} Redis commands at the server"
        )

"""Throughput over 1, 2 and 3 worker hosts (network namespaces; root and PostgreSQL needed).

Each size gets a fresh topology from ``tests/jobs/fleet/netns.py`` — a data host (Redis,
and a PostgreSQL server of its own: ``--postgres forwarded`` reaches the machine's through
a userspace forwarder instead, which caps per-job latency), a web host that schedules,
N worker hosts each running ``manage.py jobs_workers`` with one forking worker — and
drains two workloads twice: no-op jobs (CPU-bound: the machine's 2 cores are the limit)
and ``sleep(0.1)`` jobs (the workers are). Throughput is jobs / (last finish − first
start), from the Job rows.

    sudo .venv/bin/python bench/fleet_hosts.py [--noop 300] [--sleep 150] [--rounds 2] [--postgres own]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.jobs.fleet.netns import Hosts, available  # noqa: E402

POOL = {"name": "general", "queues": ["normal"], "scaling": {"min_workers": 1, "max_workers": 1}}


def drain(hosts: Hosts, task: str, args: list, count: int) -> float:
    hosts.query("DELETE FROM jobs_joblog")
    hosts.query("DELETE FROM jobs_job")
    code = (
        "import json; from jobs.services import schedule_jobs; "
        f"schedule_jobs([{{'task': {task!r}, 'args': {args!r}}} for _ in range({count})]); print(1)"
    )
    hosts.shell("web", code)
    while True:
        [(done, first, last)] = hosts.query(
            "SELECT count(*), min(started_at), max(finished_at) FROM jobs_job WHERE status = 'succeeded'"
        )
        if done == count:
            return count / (last - first).total_seconds()


def measure(workers: int, noop: int, sleep: int, rounds: int, own_postgres: bool) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"noop": [], "sleep": []}
    with Hosts(workers=workers, own_postgres=own_postgres) as hosts:
        hosts.manage("web", "rqscheduler", name="scheduler")
        for n in range(1, workers + 1):
            host = f"w{n}"
            hosts.manage(
                host, "jobs_workers", "--host", host, name=host, JOBS_WORKER_POOLS=json.dumps([POOL])
            )
        drain(hosts, "tests.noop", [], 20)  # warm-up: every worker registered and forking
        for _ in range(rounds):
            figures["noop"].append(drain(hosts, "tests.noop", [], noop))
            figures["sleep"].append(drain(hosts, "tests.sleep_quietly", [0.1], sleep))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noop", type=int, default=300)
    parser.add_argument("--sleep", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", choices=["own", "forwarded"], default="own")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the hosts are removed on the way out
    reason = available()
    if reason:
        raise SystemExit(f"can't build the hosts: {reason}")
    own = options.postgres == "own"
    results = {n: measure(n, options.noop, options.sleep, options.rounds, own) for n in (1, 2, 3)}
    base = {kind: statistics.mean(results[1][kind]) for kind in ("noop", "sleep")}
    print("hosts  workload  jobs/s (each round)        mean   × 1 host")
    for n, figures in results.items():
        for kind, values in figures.items():
            mean = statistics.mean(values)
            rounds = ", ".join(f"{v:6.1f}" for v in values)
            print(f"{n:5}  {kind:8}  {rounds:24}  {mean:6.1f}  {mean / base[kind]:5.2f}")


if __name__ == "__main__":
    main()

"""hiredis or redis-py's own parser: one fast worker draining no-op jobs, alternating rounds.

    .venv/bin/pip install hiredis   # redis-py uses it once installed
    .venv/bin/python bench/fast_lane_hiredis.py [--jobs 1500] [--rounds 3] [--prefetch 8]

Each round runs twice, in fresh processes: once as installed (hiredis), once with
redis-py's pure-Python RESP3 parser forced (``JOBDESK_BENCH_NO_HIREDIS=1``). The worker
is a burst ``FastWorker`` in the round's own process; rate = jobs / wall time of the drain.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from common import environment


def _force_python_parser() -> None:
    from redis import connection
    from redis._parsers import _HiredisParser, _RESP3Parser

    original = connection.AbstractConnection.set_parser

    def set_parser(self, parser_class):
        return original(self, _RESP3Parser if parser_class is _HiredisParser else parser_class)

    connection.AbstractConnection.set_parser = set_parser


def one_round(jobs: int) -> None:
    if os.environ.get("JOBDESK_BENCH_NO_HIREDIS"):
        _force_python_parser()
    with environment("fast_hiredis"):
        from jobs.engine import broker
        from jobs.engine.fastlane.worker import FastWorker
        from jobs.services import schedule_jobs

        redis = broker.connection()
        list(schedule_jobs({"task": "demo.noop"} for _ in range(100)))
        FastWorker(["normal"], connection=redis).work(burst=True, logging_level="ERROR")  # warm-up
        list(schedule_jobs({"task": "demo.noop"} for _ in range(jobs)))
        began = time.monotonic()
        FastWorker(["normal"], connection=redis).work(burst=True, logging_level="ERROR")
        print(jobs / (time.monotonic() - began))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefetch", type=int, default=8)
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one_round:
        one_round(options.jobs)
        return
    rates: dict[str, list[float]] = {"hiredis": [], "python": []}
    for index in range(options.rounds):
        for kind in rates:
            env = {**os.environ, "JOBDESK_WORKER_PREFETCH": str(options.prefetch)}
            if kind == "python":
                env["JOBDESK_BENCH_NO_HIREDIS"] = "1"
            out = subprocess.run(
                [sys.executable, __file__, "--one-round", "--jobs", str(options.jobs)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            rates[kind].append(float(out.stdout.strip().splitlines()[-1]))
            print(f"round {index + 1}: {kind:7s} {rates[kind][-1]:7.1f} jobs/s", flush=True)
    ratio = statistics.median(rates["hiredis"]) / statistics.median(rates["python"])
    print(f"median hiredis / python parser: {ratio:.2f}")


if __name__ == "__main__":
    main()

"""50 concurrent API clients scheduling and reading for 60 s against a real server process.

    .venv/bin/python bench/api_load.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Starts gunicorn (``project.wsgi``, gthread workers) on its own Redis and PostgreSQL
database ``jobdesk_bench_api_load`` (dropped afterwards). Each client has its own user
and token and a keep-alive connection; per request it schedules a job (``POST
/api/jobs/``, one in three), reads a job it scheduled, or reads the job list. Reports
requests/s, errors (anything but 2xx, or a failed connection) and p50/p99 latency.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, add_database_argument, environment, wait_until


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def tokens(count: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    users = [get_user_model().objects.create_superuser(f"load{i}", password="x") for i in range(count)]
    return [Token.objects.create(user=user).key for user in users]


def request(conn: http.client.HTTPConnection, token: str, method: str, path: str, body: dict | None) -> dict:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if not 200 <= response.status < 300:
        raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
    return json.loads(payload)


def client(port: int, token: str, until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine: list[str] = []
    while time.monotonic() < until:
        roll = rng.random()
        if roll < 1 / 3 or not mine:
            call = ("POST", "/api/jobs/", {"task": "demo.add", "args": [rng.randint(0, 9), 1]})
        elif roll < 2 / 3:
            call = ("GET", f"/api/jobs/{rng.choice(mine)}/", None)
        else:
            call = ("GET", "/api/jobs/?page_size=20&queue=normal", None)
        started = time.perf_counter()
        try:
            answer = request(conn, token, *call)
        except (OSError, RuntimeError, http.client.HTTPException) as exc:
            tally.errors.append(str(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        tally.latencies.append((time.perf_counter() - started) * 1000)
        if call[0] == "POST":
            mine.append(answer["id"])
    conn.close()


def serve(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "project.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
        "--threads", "8", "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


def up(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/api/health/")
        conn.getresponse().read()
        return True
    except OSError:
        return False


def run(args: argparse.Namespace, tmp: Path) -> int:
    from project import embedded_redis

    keys = tokens(args.clients)
    port = embedded_redis.free_port()
    server = serve(port, args.workers, tmp / "gunicorn.log")
    try:
        wait_until(lambda: up(port), 60, "gunicorn")
        tally = Tally()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client, args=(port, key, until, tally, i)) for i, key in enumerate(keys)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(tally, elapsed, args)
    return 1 if tally.errors else 0


def report(tally: Tally, elapsed: float, args: argparse.Namespace) -> None:
    from jobs.models import Job

    latencies = sorted(tally.latencies)
    total = len(latencies) + len(tally.errors)
    print(f"{args.clients} clients, {elapsed:.0f} s, gunicorn {args.workers} workers x 8 threads")
    print(f"requests: {total:,}  ({total / elapsed:.0f}/s)  errors: {len(tally.errors)}")
    if latencies:
        print(
            f"latency p50 {latencies[len(latencies) // 2]:.1f} ms  "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms  max {latencies[-1]:.1f} ms"
        )
    print(f"jobs scheduled: {Job.objects.count():,}")
    for error in tally.errors[:5]:
        print("  error:", error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    with environment("api_load", args.database_url) as tmp:
        return run(args, tmp)


if __name__ == "__main__":
    sys.exit(main())
